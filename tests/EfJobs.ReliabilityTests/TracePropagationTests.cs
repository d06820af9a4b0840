using System.Diagnostics;
using EfJobs.ReliabilityTests.Infrastructure;
using EfJobs.ReliabilityTests.Worker;
using OpenTelemetry.Trace;

namespace EfJobs.ReliabilityTests;

/// <summary>
/// Trace propagation across processes (issue 16): this process enqueues inside a span; a worker process, whose spans
/// OpenTelemetry's in-memory exporter collects and prints, runs the job. The only thing the two share is the row.
/// </summary>
public sealed class TracePropagationTests
{
    private static readonly ActivitySource Requests = new("EfJobs.ReliabilityTests.Requests");

    [Fact]
    public async Task The_worker_process_runs_a_first_attempt_as_the_enqueuing_spans_child_and_a_retry_as_a_new_trace_linked_to_it()
    {
        using var tracing = OpenTelemetry.Sdk.CreateTracerProviderBuilder().AddSource(Requests.Name).Build();
        await using var database = await ReliabilityDatabase.CreateAsync();
        await using var worker = await WorkerProcess.StartAsync(database, new Dictionary<string, string>
        {
            ["REL_TRACE"] = "stdout",
            ["REL_MAX_ATTEMPTS"] = "2",
            ["REL_BACKOFF_MS"] = "100",
        });

        var job = new ReliabilityJob { Mode = JobModes.Throw };
        ActivityTraceId traceId;
        ActivitySpanId spanId;
        using (var request = Requests.StartActivity("POST /orders", ActivityKind.Server)!)
        {
            await using var db = database.CreateContext();
            db.ReliabilityJobs.Add(job);
            await db.SaveChangesAsync();
            (traceId, spanId) = (request.TraceId, request.SpanId);
        }

        // The worker's stdout lines, as WorkerProcess keeps them ("out: SPAN ...").
        string[][] Spans() => [.. worker.Output.Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.StartsWith("out: SPAN " + job.Id, StringComparison.Ordinal))
            .Select(l => l["out: ".Length..].Split(' '))
            .OrderBy(f => f[2], StringComparer.Ordinal)];
        await Eventually.TrueAsync(() => Task.FromResult(Spans().Length == 2), TimeSpan.FromSeconds(60), "two attempt spans from the worker", () => worker.Output);
        var spans = Spans();

        // SPAN <job id> <attempt> <trace id> <parent span id> <links>
        Assert.Equal(["1", traceId.ToString(), spanId.ToString(), "-"], spans[0][2..]);
        Assert.Equal("2", spans[1][2]);
        Assert.NotEqual(traceId.ToString(), spans[1][3]);
        Assert.Equal(default(ActivitySpanId).ToString(), spans[1][4]);
        Assert.Equal($"{traceId}-{spanId}", spans[1][5]);
    }
}
