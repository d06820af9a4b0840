namespace EfJobs.Diagnostics;

/// <summary>
/// The logger categories EfJobs writes to, one per component, so that each can be filtered on its own
/// (<c>"Logging": { "LogLevel": { "EfJobs.Jobs": "Warning" } }</c>); <c>"EfJobs"</c> sets them all.
/// </summary>
public static class LogCategories
{
    /// <summary>The runner's lifecycle, the producer (fetches), the result writer and the stop sequence.</summary>
    public const string Runner = "EfJobs.Runner";

    /// <summary>One line per attempt: started (Debug), succeeded (Debug), failed and timed out (Warning).</summary>
    public const string Jobs = "EfJobs.Jobs";

    /// <summary>The LISTEN connection and the dead-worker check that runs on it.</summary>
    public const string Listener = "EfJobs.Listener";

    /// <summary>The poller and the notification trigger checks.</summary>
    public const string Poller = "EfJobs.Poller";

    /// <summary>Heartbeats.</summary>
    public const string Heartbeat = "EfJobs.Heartbeat";

    /// <summary>The stale-job rescuer.</summary>
    public const string Rescuer = "EfJobs.Rescuer";

    /// <summary>The queue sample behind the gauges and the health checks.</summary>
    public const string Monitor = "EfJobs.Monitor";
}
