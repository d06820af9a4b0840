using EfJobs.Benchmarks.Model;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace EfJobs.Benchmarks.Infrastructure;

/// <summary>
/// Drains pre-inserted no-op jobs with EfJobs' hosted runner or with a raw baseline, measures it, and checks that
/// every job ran exactly once.
/// </summary>
public sealed class DrainRunner(BenchDatabase database, BenchSettings settings)
{
    private static readonly TimeSpan Stall = TimeSpan.FromMinutes(10);
    private bool _warm;

    /// <summary>
    /// Runs the real hosted runner (AddEfJobs in a generic Host) on <paramref name="jobs"/> jobs already in the table.
    /// The clock runs from host start until the last success is written, which the bench sees as no running row left
    /// once the handler has run every job.
    /// </summary>
    public async Task<Measurement> EfJobsAsync(string label, int jobs, int concurrency, Action<JobOptions>? configure = null, Func<Task>? prepare = null, Action<EfJobsOptions>? configureProcess = null)
    {
        await (prepare ?? (() => database.PrepareDrainAsync(jobs)))().ConfigureAwait(false);
        var recorder = new ExecutionRecorder();
        var reached = recorder.WhenReachedAsync(jobs);
        using var host = EfJobsHost.Build(database.ConnectionString, recorder, settings.ContextRegistration, o =>
        {
            o.MaxConcurrency = concurrency;
            o.PrefetchCount = settings.Prefetch;
            configure?.Invoke(o);
        }, configureProcess);
        Measurement measurement;
        await using (var progress = Progress.Start(label, jobs, () => recorder.Executions))
        await using (var probe = ResourceProbe.Start())
        {
            await host.StartAsync().ConfigureAwait(false);
            await WaitAsync(reached, recorder, jobs, label).ConfigureAwait(false);
            while (await database.AnyRunningAsync().ConfigureAwait(false))
            {
                await Task.Delay(1).ConfigureAwait(false);
            }

            probe.Stop();
            measurement = Measurement.From(probe, jobs);
        }

        await host.StopAsync().ConfigureAwait(false);
        await database.VerifyDrainedAsync(jobs, recorder.Executions, label).ConfigureAwait(false);
        return measurement;
    }

    /// <summary>Runs raw-single (fetch limit 1) or raw-batch (fetch limit 100) on <paramref name="jobs"/> jobs already in the table.</summary>
    public async Task<Measurement> RawAsync(string label, bool batch, int jobs, int concurrency, Func<Task>? prepare = null)
    {
        await (prepare ?? (() => database.PrepareDrainAsync(jobs)))().ConfigureAwait(false);
        var recorder = new ExecutionRecorder();
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        Measurement measurement;
        await using (var progress = Progress.Start(label, jobs, () => recorder.Executions))
        await using (var probe = ResourceProbe.Start())
        {
            var run = batch ? RawBaselines.RunBatchAsync(dataSource, concurrency, recorder) : RawBaselines.RunSingleAsync(dataSource, concurrency, recorder);
            await run.WaitAsync(Stall).ConfigureAwait(false);
            probe.Stop();
            measurement = Measurement.From(probe, jobs);
        }

        await database.VerifyDrainedAsync(jobs, recorder.Executions, label).ConfigureAwait(false);
        return measurement;
    }

    /// <summary>A short run of each kind, unmeasured, so JIT and connection pools are warm before the first figure.</summary>
    public async Task WarmUpAsync(int concurrency)
    {
        if (!settings.Warmup || _warm)
        {
            return;
        }

        _warm = true;
        const int jobs = 3_000;
        await EfJobsAsync("warm-up efjobs", jobs, concurrency).ConfigureAwait(false);
        await EfJobsAsync("warm-up efjobs ihp", jobs, concurrency, o => { o.MaxFetchBatchSize = 1; o.BatchCompletions = false; }).ConfigureAwait(false);
        await RawAsync("warm-up raw-batch", true, jobs, concurrency).ConfigureAwait(false);
        await RawAsync("warm-up raw-single", false, jobs, concurrency).ConfigureAwait(false);
    }

    private static async Task WaitAsync(Task reached, ExecutionRecorder recorder, int jobs, string label)
    {
        try
        {
            await reached.WaitAsync(Stall).ConfigureAwait(false);
        }
        catch (TimeoutException exception)
        {
            throw new BenchCheckFailedException($"{label}: only {recorder.Executions} of {jobs} jobs ran within {Stall}", exception);
        }
    }
}
