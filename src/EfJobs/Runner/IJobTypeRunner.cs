using EfJobs.Model;

namespace EfJobs.Runner;

/// <summary>The runner of one job type, as the process-wide parts see it.</summary>
internal interface IJobTypeRunner
{
    JobTable Table { get; }

    JobOptions Options { get; }

    /// <summary>Work may be waiting: fetch soon. Cheap, never blocks, and repeated calls collapse into one fetch.</summary>
    void Signal();

    /// <summary>The names of the type's loops that are not running (none while the runner runs as it should).</summary>
    IEnumerable<string> StoppedLoops();

    /// <summary>Whether the last poll found the notification triggers installed; null before the first poll.</summary>
    bool? TriggersHealthy { get; }

    void Start();

    /// <summary>Stops gracefully: running jobs get until <paramref name="shutdownTimeout"/> fires; then everything still owned is given back.</summary>
    Task StopAsync(CancellationToken shutdownTimeout);

    Task<int> DrainAsync(CancellationToken cancellationToken);
}
