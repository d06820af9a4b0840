namespace EfJobs.Benchmarks.Infrastructure;

/// <summary>What one measured variant produced.</summary>
/// <param name="Jobs">Jobs processed.</param>
/// <param name="Elapsed">Wall time from start to the last job durably recorded.</param>
/// <param name="AllocatedBytes">Bytes allocated by the whole process meanwhile.</param>
/// <param name="PeakWorkingSet">Peak working set meanwhile, in bytes.</param>
public sealed record Measurement(long Jobs, TimeSpan Elapsed, long AllocatedBytes, long PeakWorkingSet)
{
    public double JobsPerSecond => Jobs / Elapsed.TotalSeconds;

    public double AllocatedPerJob => Jobs == 0 ? 0 : (double)AllocatedBytes / Jobs;

    public double PeakWorkingSetMb => PeakWorkingSet / (1024.0 * 1024.0);

    public static Measurement From(ResourceProbe probe, long jobs)
    {
        ArgumentNullException.ThrowIfNull(probe);
        return new Measurement(jobs, probe.Elapsed, probe.AllocatedBytes, probe.PeakWorkingSet);
    }
}
