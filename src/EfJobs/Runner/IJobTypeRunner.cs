using EfJobs.Model;

namespace EfJobs.Runner;

/// <summary>The runner of one job type, as the process-wide parts see it.</summary>
internal interface IJobTypeRunner
{
    Type JobType { get; }

    JobTable Table { get; }

    /// <summary>Work may be waiting: fetch soon. Cheap, never blocks, and repeated calls collapse into one fetch.</summary>
    void Signal();

    void Start();

    Task StopAsync(CancellationToken shutdownTimeout);

    Task<int> DrainAsync(CancellationToken cancellationToken);
}
