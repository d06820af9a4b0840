using System.Diagnostics;
using EfJobs.Diagnostics;
using EfJobs.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace EfJobs.Tests;

/// <summary>
/// Trace propagation through the row (issue 16), seen through OpenTelemetry's in-memory exporter: one host enqueues
/// inside a request's span (and runs no jobs), another host runs the job, so the attempt can learn the enqueuing span
/// only from trace_parent. A first attempt soon after enqueue is its child; a retry, or a first attempt long after
/// enqueue, starts a new trace linked to it; <see cref="EfJobsOptions.TraceMode"/> overrides both.
/// </summary>
public sealed class TracingTests(TestDatabase database) : DatabaseTest(database), IDisposable
{
    private static readonly ActivitySource Requests = new("EfJobs.Tests.Requests");
    private readonly LockedList<Activity> _spans = new();
    private TracerProvider? _tracing;

    [Fact]
    public async Task A_first_attempt_is_a_child_of_the_enqueuing_span_and_a_retry_a_new_trace_linked_to_it()
    {
        await using var worker = await RunnerHost.StartAsync(Database, o => o.MaxAttempts = 2);
        var (job, enqueue) = await EnqueueInRequestAsync("fail-once");
        var attempts = await AttemptsAsync(job.Id, 2);

        Assert.Equal(enqueue.Id, await ScalarAsync<string>($"SELECT trace_parent FROM test_jobs WHERE id = '{job.Id}'"));
        var first = attempts[0];
        Assert.Equal((enqueue.TraceId, enqueue.SpanId), (first.TraceId, first.ParentSpanId));
        Assert.Empty(first.Links);

        var retry = attempts[1];
        Assert.NotEqual(enqueue.TraceId, retry.TraceId);
        Assert.Equal(default, retry.ParentSpanId);
        var link = Assert.Single(retry.Links);
        Assert.Equal((enqueue.TraceId, enqueue.SpanId), (link.Context.TraceId, link.Context.SpanId));
    }

    [Fact]
    public async Task A_first_attempt_long_after_enqueue_is_a_new_trace_linked_to_the_enqueuing_span()
    {
        var (job, enqueue) = await EnqueueInRequestAsync("ok");
        await ExecuteAsync($"UPDATE test_jobs SET created_at = now() - interval '2 minutes' WHERE id = '{job.Id}'");
        await using var worker = await RunnerHost.StartAsync(Database);
        var attempt = (await AttemptsAsync(job.Id, 1)).Single();

        Assert.NotEqual(enqueue.TraceId, attempt.TraceId);
        var link = Assert.Single(attempt.Links);
        Assert.Equal((enqueue.TraceId, enqueue.SpanId), (link.Context.TraceId, link.Context.SpanId));
    }

    [Theory]
    [InlineData(JobTraceMode.Child)]
    [InlineData(JobTraceMode.Link)]
    [InlineData(JobTraceMode.None)]
    public async Task TraceMode_decides_for_every_attempt(JobTraceMode mode)
    {
        await using var worker = await RunnerHost.StartAsync(Database, o => o.MaxAttempts = 2, r => r.TraceMode = mode);
        var (job, enqueue) = await EnqueueInRequestAsync("fail-once");
        var attempts = await AttemptsAsync(job.Id, 2);

        foreach (var attempt in attempts)
        {
            switch (mode)
            {
                case JobTraceMode.Child:
                    Assert.Equal((enqueue.TraceId, enqueue.SpanId), (attempt.TraceId, attempt.ParentSpanId));
                    Assert.Empty(attempt.Links);
                    break;
                case JobTraceMode.Link:
                    Assert.Equal(default, attempt.ParentSpanId);
                    Assert.Equal(enqueue.SpanId, Assert.Single(attempt.Links).Context.SpanId);
                    break;
                default:
                    Assert.NotEqual(enqueue.TraceId, attempt.TraceId);
                    Assert.Equal(default, attempt.ParentSpanId);
                    Assert.Empty(attempt.Links);
                    break;
            }
        }
    }

    [Fact]
    public async Task An_attempt_span_carries_the_messaging_semantic_conventions_and_the_package_version()
    {
        await using var worker = await RunnerHost.StartAsync(Database, o => o.MaxAttempts = 2);
        var (job, enqueue) = await EnqueueInRequestAsync("fail-once");
        var attempts = await AttemptsAsync(job.Id, 2);

        foreach (var (attempt, number) in attempts.Select((a, i) => (a, i + 1)))
        {
            Assert.Equal("process test_jobs", attempt.DisplayName);
            Assert.Equal(ActivityKind.Consumer, attempt.Kind);
            Assert.Equal("efjobs", attempt.GetTagItem("messaging.system"));
            Assert.Equal("process", attempt.GetTagItem("messaging.operation.type"));
            Assert.Equal("process", attempt.GetTagItem("messaging.operation.name"));
            Assert.Equal("test_jobs", attempt.GetTagItem("messaging.destination.name"));
            Assert.Equal(job.Id.ToString(), attempt.GetTagItem("messaging.message.id"));
            Assert.Equal(number, attempt.GetTagItem("efjobs.job.attempt"));
            Assert.Equal(worker.Runner.WorkerId.ToString(), attempt.GetTagItem("efjobs.worker.id"));
            Assert.Equal(EfJobsTelemetry.Name, attempt.Source.Name);
            Assert.Equal(EfJobsTelemetry.Version, attempt.Source.Version);
        }

        Assert.Equal(("failed", "System.InvalidOperationException", ActivityStatusCode.Error), (attempts[0].GetTagItem("efjobs.job.outcome"), attempts[0].GetTagItem("error.type"), attempts[0].Status));
        Assert.Equal(("succeeded", null, ActivityStatusCode.Unset), (attempts[1].GetTagItem("efjobs.job.outcome"), attempts[1].GetTagItem("error.type"), attempts[1].Status));
        Assert.Matches(@"^\d+\.\d+\.\d+", EfJobsTelemetry.Version);

        // The enqueuing span has an event where SaveChanges saw the insert.
        var enqueued = Assert.Single(enqueue.Events, e => e.Name == "efjobs.enqueue");
        Assert.Contains(new KeyValuePair<string, object?>("messaging.message.id", job.Id.ToString()), enqueued.Tags);
        Assert.Contains(new KeyValuePair<string, object?>("messaging.destination.name", "test_jobs"), enqueued.Tags);
    }

    [Fact]
    public async Task A_job_type_that_does_not_store_trace_context_keeps_IHPs_columns_and_saves_inside_an_activity()
    {
        Tracing();
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM information_schema.columns WHERE table_name = 'other_jobs' AND column_name IN ('trace_parent', 'trace_state')"));
        Assert.Equal(2L, await ScalarAsync<long>("SELECT count(*) FROM information_schema.columns WHERE table_name = 'test_jobs' AND column_name IN ('trace_parent', 'trace_state')"));

        using (var request = Requests.StartActivity("POST /numbers", ActivityKind.Server))
        {
            await using var db = CreateContext();
            db.Add(new OtherJob { Number = 7 });
            await db.SaveChangesAsync();
            Assert.Single(request!.Events, e => e.Name == "efjobs.enqueue");
        }

        Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM other_jobs"));
    }

    [Fact]
    public async Task Without_a_listener_no_span_is_started_and_nothing_is_stored()
    {
        await using var worker = await RunnerHost.StartAsync(Database);
        var job = (await AddTestJobsAsync(1)).Single();
        await Eventually.TrueAsync(
            async () => await ScalarAsync<bool>($"SELECT status = 'job_status_succeeded' FROM test_jobs WHERE id = '{job.Id}'"),
            TimeSpan.FromSeconds(20), "the job to succeed");
        Assert.True(await ScalarAsync<bool>($"SELECT trace_parent IS NULL FROM test_jobs WHERE id = '{job.Id}'"));
        Assert.Null(EfJobsTelemetry.For("test_jobs").StartAttempt(job.Id, 1, Guid.NewGuid(), null, null, JobTraceMode.Auto, TimeSpan.Zero, TimeSpan.FromMinutes(1)));
    }

    public void Dispose() => _tracing?.Dispose();

    private void Tracing() =>
        _tracing ??= Sdk.CreateTracerProviderBuilder()
            .AddSource(Requests.Name)
            .AddEfJobsInstrumentation()
            .AddInMemoryExporter(_spans)
            .Build();

    // Enqueues through a second host that does not run jobs, inside a request span, as a web app would.
    private async Task<(TestJob Job, Activity Enqueue)> EnqueueInRequestAsync(string payload)
    {
        Tracing();
        using var web = RunnerHost.Build(Database, configureRunner: o => o.RunInHost = false);
        await using var scope = web.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TestDbContext>();
        var job = new TestJob { Payload = payload };
        using var request = Requests.StartActivity("POST /signup", ActivityKind.Server)!;
        db.Add(job);
        await db.SaveChangesAsync();
        return (job, request);
    }

    private async Task<List<Activity>> AttemptsAsync(Guid jobId, int count)
    {
        await Eventually.TrueAsync(
            () => Task.FromResult(Spans(jobId).Count >= count),
            TimeSpan.FromSeconds(20), $"{count} attempt span(s) of job {jobId}");
        return Spans(jobId);
    }

    private List<Activity> Spans(Guid jobId) =>
        [.. _spans.Snapshot().Where(s => s.Source.Name == EfJobsTelemetry.Name && (string?)s.GetTagItem("messaging.message.id") == jobId.ToString())
            .OrderBy(s => (int)s.GetTagItem("efjobs.job.attempt")!)];
}
