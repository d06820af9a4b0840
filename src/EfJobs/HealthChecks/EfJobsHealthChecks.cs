namespace EfJobs.HealthChecks;

/// <summary>The names and tags of the health checks that <c>AddHealthChecks().AddEfJobs()</c> adds.</summary>
public static class EfJobsHealthChecks
{
    /// <summary>The runner: LISTEN connection up, every loop running; Degraded while jobs are found by polling only.</summary>
    public const string Runner = "efjobs-runner";

    /// <summary>The age of the oldest due job per type against <see cref="EfJobsHealthCheckOptions"/>'s thresholds.</summary>
    public const string QueueLatency = "efjobs-queue-latency";

    /// <summary>Running rows whose lock is older than their type's <see cref="JobOptions.StaleJobTimeout"/>.</summary>
    public const string StaleJobs = "efjobs-stale-jobs";

    /// <summary>On every EfJobs check.</summary>
    public const string Tag = "efjobs";

    /// <summary>On the checks a liveness probe should run: the runner only (a process whose loops died needs a restart).</summary>
    public const string LiveTag = "live";

    /// <summary>On the checks a readiness probe should run: all three.</summary>
    public const string ReadyTag = "ready";
}
