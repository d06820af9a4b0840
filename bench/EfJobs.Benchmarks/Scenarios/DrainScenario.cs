using EfJobs.Benchmarks.Infrastructure;

namespace EfJobs.Benchmarks.Scenarios;

/// <summary>
/// Scenario 1: N pre-inserted no-op jobs drained by the hosted runner with MaxConcurrency C, against raw-single and
/// raw-batch on the same table in the same run.
/// </summary>
public static class DrainScenario
{
    public const double ThroughputTarget = 0.9;
    public const double AllocationTarget = 4096;

    public static async Task RunAsync(BenchRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var (jobs, c) = (run.Settings.Jobs, run.Settings.Concurrency);
        await run.Drains.WarmUpAsync(c).ConfigureAwait(false);
        var single = await run.Drains.RawAsync("drain raw-single", false, jobs, c).ConfigureAwait(false);
        var batch = await run.Drains.RawAsync("drain raw-batch", true, jobs, c).ConfigureAwait(false);
        var efjobs = await run.Drains.EfJobsAsync("drain efjobs", jobs, c).ConfigureAwait(false);

        // The same runner without the prefetch buffer (JobOptions' default), to show what the buffer is worth.
        var withoutPrefetch = run.Settings.Prefetch == 0 ? null : await run.Drains.EfJobsAsync("drain efjobs, no prefetch", jobs, c, o => o.PrefetchCount = 0).ConfigureAwait(false);

        run.Results.Add(Row("raw-single", single, c));
        run.Results.Add(Row("raw-batch", batch, c));
        var ratio = efjobs.JobsPerSecond / batch.JobsPerSecond;
        if (withoutPrefetch is not null)
        {
            run.Results.Add(Row("efjobs, PrefetchCount 0 (default)", withoutPrefetch, c) with { Ratio = withoutPrefetch.JobsPerSecond / batch.JobsPerSecond, Note = "ratio vs raw-batch" });
        }

        run.Results.Add(Row($"efjobs, PrefetchCount {run.Settings.Prefetch}", efjobs, c) with
        {
            Ratio = ratio,
            Target = $">= {ThroughputTarget} x raw-batch",
            Met = ratio >= ThroughputTarget,
        });
        run.Results.Add(new ResultRow("drain", "efjobs allocations", jobs, c, efjobs.AllocatedPerJob, "B/job", Target: $"<= {AllocationTarget} B/job", Met: efjobs.AllocatedPerJob <= AllocationTarget, PeakWorkingSetMb: efjobs.PeakWorkingSetMb));
    }

    public static ResultRow Row(string variant, Measurement m, int concurrency, string scenario = "drain")
    {
        ArgumentNullException.ThrowIfNull(m);
        return new ResultRow(scenario, variant, m.Jobs, concurrency, m.JobsPerSecond, "jobs/s", AllocatedPerJob: m.AllocatedPerJob, PeakWorkingSetMb: m.PeakWorkingSetMb);
    }
}
