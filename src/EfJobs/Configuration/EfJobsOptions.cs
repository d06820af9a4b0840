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
}
