using EfJobs;

namespace WebApp.Jobs;

/// <summary>A job whose payload says how it behaves, to show retries, backoff and timeouts.</summary>
public class DemoJob : JobBase
{
    /// <summary>How long the handler works, in milliseconds; over the 5 s timeout the attempt times out.</summary>
    public int WorkMs { get; set; }

    /// <summary>How many attempts fail before one succeeds; at MaxAttempts (3) or more the job ends failed.</summary>
    public int FailFirstAttempts { get; set; }
}
