namespace EfJobs;

/// <summary>Settings of the runner as a whole (per-type settings are in <see cref="JobOptions"/>).</summary>
public sealed class EfJobsOptions
{
    /// <summary>
    /// The id this process writes to locked_by of the jobs it runs, and shows in its logs. The generated default takes
    /// part in worker liveness: the process holds an advisory lock on its LISTEN connection, and when its session
    /// ends (kill -9, crash) any other EfJobs process returns its running jobs within about four seconds. An id set
    /// here does not take part; its jobs are returned after <see cref="JobOptions.StaleJobTimeout"/>, as in IHP.
    /// </summary>
    /// <value>Default: a new id per process, <c>ef10b500-xxxx-8xxx-xxxx-xxxxxxxxxxxx</c> (UUID version 8). Not empty.</value>
    public Guid WorkerId { get; set; } = Configuration.WorkerLiveness.NewWorkerId();

    /// <summary>
    /// Whether the runner re-creates missing notification triggers (IHP's <c>watchForJobWithPollerTriggerRepair</c>).
    /// Needs DDL rights; meant for development databases that were dropped and recreated. Off, the runner only
    /// warns and keeps working by polling.
    /// </summary>
    /// <value>Default false.</value>
    public bool RepairTriggers { get; set; }

    /// <summary>Whether the hosted service starts the runner with the host. Turn it off in a web app that only enqueues.</summary>
    /// <value>Default true.</value>
    public bool RunInHost { get; set; } = true;

    /// <summary>
    /// How often each process deletes the finished jobs whose retention is over (<see cref="JobOptions.SucceededRetention"/>
    /// and the others). Every process prunes, with no leader; the first pass starts at a random point of the first
    /// interval, so processes started together do not prune in lock-step. A pass is one DELETE per type and final
    /// state, and goes on while batches come back full, so the interval bounds the idle cost, not how fast a backlog
    /// goes: every 5 minutes, ten job types cost 0.2 statements per second (every minute they cost 1, the whole idle
    /// budget of the benchmark).
    /// </summary>
    /// <value>Default 5 minutes. Positive, at most 1 day.</value>
    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The most rows one delete statement of the pruner removes. Each batch is a short transaction of its own that
    /// locks only its rows; a pass runs batches until one comes back short.
    /// </summary>
    /// <value>Default 10,000. At least 1, at most 1,000,000.</value>
    public int PruneBatchSize { get; set; } = 10_000;

    /// <summary>Returns the first invalid setting as a message that names it, or null when all are valid.</summary>
    internal string? Validate()
    {
        if (WorkerId == Guid.Empty)
        {
            return $"{nameof(WorkerId)} must not be empty.";
        }

        if (PruneInterval <= TimeSpan.Zero || PruneInterval > TimeSpan.FromDays(1))
        {
            return $"{nameof(PruneInterval)} must be positive and at most 1 day (was {PruneInterval}).";
        }

        if (PruneBatchSize is < 1 or > 1_000_000)
        {
            return $"{nameof(PruneBatchSize)} must be between 1 and 1,000,000 (was {PruneBatchSize}).";
        }

        return null;
    }

    /// <summary>
    /// How old the queue sample may be before it is taken again: one query per job type, whose result the queue gauges
    /// (<c>efjobs.queue.depth</c>, <c>efjobs.queue.oldest_due_age</c>, <c>efjobs.queue.stale_jobs</c>) and the queue
    /// health checks share. It is taken only when something reads it, so a process without metrics or health checks
    /// never runs it, and it is never run more than once per job type per interval however many scrapes and probes
    /// come.
    /// </summary>
    /// <value>Default 15 seconds. Positive, at most 1 hour.</value>
    public TimeSpan QueueSampleInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How an attempt's activity relates to the trace that enqueued its job.</summary>
    /// <value>Default <see cref="JobTraceMode.Auto"/>: child on a first attempt soon after enqueue, else a link.</value>
    public JobTraceMode TraceMode { get; set; } = JobTraceMode.Auto;

    /// <summary>
    /// With <see cref="JobTraceMode.Auto"/>, how soon after the job's creation (created_at, database clock) its first
    /// attempt must start to become a child of the enqueuing span rather than a new trace linked to it.
    /// </summary>
    /// <value>Default 1 minute. Zero or positive.</value>
    public TimeSpan TraceChildWindow { get; set; } = TimeSpan.FromMinutes(1);
}
