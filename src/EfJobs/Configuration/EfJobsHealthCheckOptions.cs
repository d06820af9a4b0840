namespace EfJobs;

/// <summary>Thresholds of the health checks that <c>AddHealthChecks().AddEfJobs()</c> adds.</summary>
public sealed class EfJobsHealthCheckOptions
{
    /// <summary>
    /// The queue latency check reports Degraded when the oldest due job of any type has waited this long for a worker
    /// (counted from the later of run_at and created_at, on the database clock).
    /// </summary>
    /// <value>Default 1 minute. Positive, at most <see cref="QueueLatencyUnhealthy"/>.</value>
    public TimeSpan QueueLatencyDegraded { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The queue latency check reports Unhealthy when the oldest due job of any type has waited this long.</summary>
    /// <value>Default 5 minutes. Positive, at least <see cref="QueueLatencyDegraded"/>.</value>
    public TimeSpan QueueLatencyUnhealthy { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Returns the first invalid setting as a message that names it, or null when all are valid.</summary>
    internal string? Validate() =>
        QueueLatencyDegraded <= TimeSpan.Zero ? $"{nameof(QueueLatencyDegraded)} must be positive (was {QueueLatencyDegraded})."
        : QueueLatencyUnhealthy < QueueLatencyDegraded ? $"{nameof(QueueLatencyUnhealthy)} must be at least {nameof(QueueLatencyDegraded)} ({QueueLatencyDegraded}) (was {QueueLatencyUnhealthy})."
        : null;
}
