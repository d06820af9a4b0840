namespace EfJobs.Diagnostics;

/// <summary>The values of <c>efjobs.job.outcome</c>.</summary>
internal static class JobOutcomes
{
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string TimedOut = "timed_out";
    public const string Interrupted = "interrupted";
}
