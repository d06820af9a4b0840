namespace EfJobs;

/// <summary>
/// The tick a recurring job's factory is called for: which schedule, which time. Put them into the job's own
/// columns when a job must know which tick made it (IHP's job tables have no such columns, so EfJobs adds none).
/// </summary>
/// <param name="Schedule">The schedule's name, as given to <c>AddRecurring</c>.</param>
/// <param name="Time">
/// The tick, in UTC: the occurrence of the cron expression in the schedule's time zone; for
/// <see cref="IRecurringJobs.RunNowAsync"/> the time of the request. Also the job's <see cref="JobBase.RunAt"/>.
/// </param>
/// <param name="RunNow">True when the job was made by <see cref="IRecurringJobs.RunNowAsync"/>, not by the schedule.</param>
public readonly record struct RecurringTick(string Schedule, DateTimeOffset Time, bool RunNow);
