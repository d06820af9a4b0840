using EfJobs.Benchmarks.Infrastructure;

namespace EfJobs.Benchmarks.Scenarios;

/// <summary>
/// Scenario 1: N pre-inserted no-op jobs drained by the hosted runner with MaxConcurrency C, against raw-single and
/// raw-batch on the same table in the same run.
/// </summary>
public static class DrainScenario
{
    /// <summary>Issue 17: the defaults a user gets from the quick start drain at least this fraction of raw-batch.</summary>
    public const double DefaultsTarget = 0.8;

    /// <summary>Issue 17: with the documented tuning (a fixed PrefetchCount), at least this fraction of raw-batch.</summary>
    public const double TunedTarget = 0.95;

    public const double AllocationTarget = 4096;

    public static async Task RunAsync(BenchRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var (jobs, c) = (run.Settings.Jobs, run.Settings.Concurrency);
        await run.Drains.WarmUpAsync(c).ConfigureAwait(false);
        var single = await run.Drains.RawAsync("drain raw-single", false, jobs, c).ConfigureAwait(false);
        var batch = await run.Drains.RawAsync("drain raw-batch", true, jobs, c).ConfigureAwait(false);

        // JobOptions' defaults (automatic prefetch), then the documented tuning when --prefetch N names one.
        var defaults = await run.Drains.EfJobsAsync("drain efjobs, defaults", jobs, c, o => o.PrefetchCount = null).ConfigureAwait(false);
        var tuned = run.Settings.Prefetch is null ? null : await run.Drains.EfJobsAsync("drain efjobs, tuned", jobs, c).ConfigureAwait(false);

        run.Results.Add(Row("raw-single", single, c));
        run.Results.Add(Row("raw-batch", batch, c));
        var defaultsRatio = defaults.JobsPerSecond / batch.JobsPerSecond;
        run.Results.Add(Row("efjobs, defaults (PrefetchCount automatic)", defaults, c) with
        {
            Ratio = defaultsRatio,
            Target = $">= {DefaultsTarget} x raw-batch",
            Met = defaultsRatio >= DefaultsTarget,
        });
        if (tuned is not null)
        {
            var tunedRatio = tuned.JobsPerSecond / batch.JobsPerSecond;
            run.Results.Add(Row($"efjobs, PrefetchCount {run.Settings.Prefetch}", tuned, c) with
            {
                Ratio = tunedRatio,
                Target = $">= {TunedTarget} x raw-batch",
                Met = tunedRatio >= TunedTarget,
            });
        }

        var measured = tuned ?? defaults;
        run.Results.Add(new ResultRow("drain", "efjobs allocations", jobs, c, measured.AllocatedPerJob, "B/job", Target: $"<= {AllocationTarget} B/job", Met: measured.AllocatedPerJob <= AllocationTarget, PeakWorkingSetMb: measured.PeakWorkingSetMb));
    }

    public static ResultRow Row(string variant, Measurement m, int concurrency, string scenario = "drain")
    {
        ArgumentNullException.ThrowIfNull(m);
        return new ResultRow(scenario, variant, m.Jobs, concurrency, m.JobsPerSecond, "jobs/s", AllocatedPerJob: m.AllocatedPerJob, PeakWorkingSetMb: m.PeakWorkingSetMb);
    }
}
