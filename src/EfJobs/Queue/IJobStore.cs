using EfJobs.Model;

namespace EfJobs.Queue;

/// <summary>
/// The statements the runner runs against one job type's table. The runner's components depend on this and nothing
/// else of the database, so fast tests drive them with a fake; <see cref="JobStore{TJob}"/> is the real one.
/// Every method that writes a result is guarded: it applies only while this worker still owns that attempt.
/// </summary>
internal interface IJobStore<TJob>
    where TJob : JobBase
{
    JobTable Table { get; }

    /// <summary>Locks up to <paramref name="limit"/> due jobs for this worker (status running, attempt counted).</summary>
    Task<IReadOnlyList<TJob>> FetchAsync(int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Takes over the running rows locked to this worker that are not in <paramref name="held"/> (what a fetch locked
    /// but could not hand over); each row that cannot be read gets a failed attempt and is reported.
    /// </summary>
    Task<IReadOnlyList<TJob>> SalvageAsync(IReadOnlyCollection<Guid> held, Action<Guid, int, Exception> unreadable, CancellationToken cancellationToken);

    /// <summary>Marks the attempts succeeded; returns how many this worker still owned.</summary>
    Task<int> SucceedAsync(IReadOnlyCollection<TJob> jobs, CancellationToken cancellationToken);

    /// <summary>Records a failed or timed-out attempt: retry after the backoff, or <paramref name="finalStatus"/> at the last attempt.</summary>
    Task<bool> FailAsync(TJob job, string lastError, JobStatus finalStatus, CancellationToken cancellationToken);

    /// <summary>Refreshes locked_at of the rows this worker holds.</summary>
    Task<int> HeartbeatAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken);

    /// <summary>
    /// Gives jobs back at a graceful stop, their attempt not counted: unlocked, due now, status as before their fetch.
    /// Every running row locked to this worker goes back, held or not; <paramref name="interrupted"/> get
    /// <paramref name="reason"/> in last_error, the others (never started) keep theirs.
    /// </summary>
    Task<int> GiveBackAsync(IReadOnlyCollection<Guid> interrupted, string reason, CancellationToken cancellationToken);

    /// <summary>Returns jobs without a heartbeat for <paramref name="staleJobTimeout"/> to the queue (IHP's recoverStaleJobs).</summary>
    Task<int> RescueStaleAsync(TimeSpan staleJobTimeout, CancellationToken cancellationToken);

    /// <summary>How long until the earliest pending job is due (zero or less: due now; null: none).</summary>
    Task<TimeSpan?> TimeUntilNextDueAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The poll: whether the notification triggers are healthy (re-installing them first when
    /// <paramref name="repairTriggers"/> and they are not), then the time until the next due job, on one connection.
    /// </summary>
    Task<JobPollResult> PollAsync(bool repairTriggers, CancellationToken cancellationToken);
}
