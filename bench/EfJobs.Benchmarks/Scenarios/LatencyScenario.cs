using System.Diagnostics;
using EfJobs.Benchmarks.Infrastructure;
using EfJobs.Benchmarks.Model;
using Npgsql;

namespace EfJobs.Benchmarks.Scenarios;

/// <summary>
/// Scenario 4: an idle runner; jobs committed one at a time, 10 ms apart; the delay from commit to handler start.
/// </summary>
/// <remarks>
/// Both ends are read from this process's Stopwatch, so there is one clock. The commit time is taken just before the
/// auto-committed INSERT is sent, so each figure includes the INSERT's own round trip and overstates the delay
/// slightly rather than understating it.
/// </remarks>
public static class LatencyScenario
{
    public const double P50Target = 3;
    public const double P99Target = 15;

    public static async Task RunAsync(BenchRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var jobs = run.Settings.LatencyJobs;
        var db = run.Database;
        await db.ExecuteAsync($"TRUNCATE {BenchDatabase.Table}").ConfigureAwait(false);
        await db.SettleAsync().ConfigureAwait(false);
        var recorder = new ExecutionRecorder(recordStarts: true);
        var reached = recorder.WhenReachedAsync(jobs);
        using var host = EfJobsHost.Build(db.ConnectionString, recorder, run.Settings.ContextRegistration, o =>
        {
            o.MaxConcurrency = run.Settings.Concurrency;
            o.PrefetchCount = run.Settings.Prefetch;
        });
        await EfJobsHost.StartAndWaitForListenerAsync(host, db).ConfigureAwait(false);
        await Task.Delay(500).ConfigureAwait(false);

        var commits = new Dictionary<Guid, long>(jobs);
        await using var dataSource = NpgsqlDataSource.Create(db.ConnectionString);
        await using var connection = await dataSource.OpenConnectionAsync().ConfigureAwait(false);
        await using var insert = new NpgsqlCommand($"INSERT INTO {BenchDatabase.Table} (id) VALUES ($1)", connection);
        var id = new NpgsqlParameter<Guid>();
        insert.Parameters.Add(id);
        Measurement measurement;
        await using (var progress = Progress.Start("latency", jobs, () => recorder.Executions))
        await using (var probe = ResourceProbe.Start())
        {
            using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
            for (var i = 0; i < jobs; i++)
            {
                await tick.WaitForNextTickAsync().ConfigureAwait(false);
                id.TypedValue = Guid.CreateVersion7();
                commits[id.TypedValue] = Stopwatch.GetTimestamp();
                await insert.ExecuteNonQueryAsync().ConfigureAwait(false);
            }

            try
            {
                await reached.WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
            }
            catch (TimeoutException exception)
            {
                throw new BenchCheckFailedException($"latency: only {recorder.Executions} of {jobs} jobs ran within 60 s of the last commit", exception);
            }

            probe.Stop();
            measurement = Measurement.From(probe, jobs);
        }

        while (await db.AnyRunningAsync().ConfigureAwait(false))
        {
            await Task.Delay(5).ConfigureAwait(false);
        }

        await host.StopAsync().ConfigureAwait(false);
        await db.VerifyDrainedAsync(jobs, recorder.Executions, "latency").ConfigureAwait(false);

        var delays = commits.Select(c => Stopwatch.GetElapsedTime(c.Value, recorder.Starts[c.Key]).TotalMilliseconds).Order().ToArray();
        var (p50, p99, max) = (Percentile(delays, 0.50), Percentile(delays, 0.99), delays[^1]);
        var c = run.Settings.Concurrency;
        run.Results.Add(new ResultRow("latency", "commit -> handler start, p50", jobs, c, p50, "ms", Target: $"<= {P50Target} ms", Met: p50 <= P50Target, AllocatedPerJob: measurement.AllocatedPerJob, PeakWorkingSetMb: measurement.PeakWorkingSetMb, Note: "idle runner, 1 job per 10 ms"));
        run.Results.Add(new ResultRow("latency", "commit -> handler start, p99", jobs, c, p99, "ms", Target: $"<= {P99Target} ms", Met: p99 <= P99Target));
        run.Results.Add(new ResultRow("latency", "commit -> handler start, max", jobs, c, max, "ms"));
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
