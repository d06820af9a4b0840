namespace EfJobs;

/// <summary>
/// Operates the recurring jobs declared with <c>AddRecurring</c>: lists them with their state, pauses and resumes
/// them, and runs one now. Resolve it from DI; each call is one short statement against the schedules table, seen by
/// every process at its next tick.
/// </summary>
public interface IRecurringJobs
{
    /// <summary>Every schedule in the schedules table (declared by any process, enabled or not), ordered by name, with its next tick.</summary>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>One entry per schedule.</returns>
    Task<IReadOnlyList<RecurringJobInfo>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Pauses a schedule: its ticks make no jobs until it is resumed (they are not caught up).</summary>
    /// <param name="name">The schedule's name.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <returns>A task that completes when the schedule is paused.</returns>
    /// <exception cref="KeyNotFoundException">No schedule of that name is in the database.</exception>
    Task PauseAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Resumes a paused schedule from its next tick; the ticks it missed while paused do not run.</summary>
    /// <param name="name">The schedule's name.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <returns>A task that completes when the schedule is resumed.</returns>
    /// <exception cref="KeyNotFoundException">No schedule of that name is in the database.</exception>
    Task ResumeAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Enqueues one job of a schedule now, paused or not and whatever its overlap policy, without touching its ticks.
    /// The job is made by the schedule's factory with <see cref="RecurringTick.RunNow"/> true.
    /// </summary>
    /// <param name="name">The name of a schedule this process declares.</param>
    /// <param name="cancellationToken">Cancels the transaction.</param>
    /// <returns>The new job's id.</returns>
    /// <exception cref="KeyNotFoundException">This process declares no schedule of that name, or its row is not in the database yet.</exception>
    Task<Guid> RunNowAsync(string name, CancellationToken cancellationToken = default);
}
