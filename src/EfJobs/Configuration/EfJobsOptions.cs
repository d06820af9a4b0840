namespace EfJobs;

/// <summary>Settings of the runner as a whole (per-type settings are in <see cref="JobOptions"/>).</summary>
public sealed class EfJobsOptions
{
    /// <summary>The id this process writes to locked_by of the jobs it runs, and shows in its logs.</summary>
    /// <value>Default: a random id per process.</value>
    public Guid WorkerId { get; set; } = Guid.NewGuid();

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
}
