using EfJobs.Benchmarks.Infrastructure;

namespace EfJobs.Benchmarks.Scenarios;

/// <summary>
/// Scenario 2: the runner configured as IHP works (one job per fetch, one UPDATE per success) against raw-single,
/// which is the same loop hand-written.
/// </summary>
public static class IhpModeScenario
{
    public const double Target = 0.8;

    public static async Task RunAsync(BenchRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var (jobs, c) = (run.Settings.Jobs, run.Settings.Concurrency);
        await run.Drains.WarmUpAsync(c).ConfigureAwait(false);
        var single = await run.Drains.RawAsync("ihp-mode raw-single", false, jobs, c).ConfigureAwait(false);
        var efjobs = await run.Drains.EfJobsAsync("ihp-mode efjobs", jobs, c, o =>
        {
            o.MaxFetchBatchSize = 1;
            o.BatchCompletions = false;
            o.PrefetchCount = 0;
        }).ConfigureAwait(false);

        run.Results.Add(DrainScenario.Row("raw-single", single, c, "ihp-mode"));
        var ratio = efjobs.JobsPerSecond / single.JobsPerSecond;
        run.Results.Add(DrainScenario.Row("efjobs (fetch 1, no batching)", efjobs, c, "ihp-mode") with
        {
            Ratio = ratio,
            Target = $">= {Target} x raw-single",
            Met = ratio >= Target,
        });
    }
}
