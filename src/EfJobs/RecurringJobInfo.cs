namespace EfJobs;

/// <summary>One recurring job as <see cref="IRecurringJobs.ListAsync"/> reports it: its definition, its state in the database, its next tick.</summary>
public sealed class RecurringJobInfo
{
    /// <summary>The schedule's name, unique in the database.</summary>
    public required string Name { get; init; }

    /// <summary>The job type, when this process declares the schedule; null for a row only other processes declare (or none does).</summary>
    public Type? JobType { get; init; }

    /// <summary>The job table, as stored in the schedule's row.</summary>
    public required string JobTable { get; init; }

    /// <summary>The cron expression (5 fields, or 6 with seconds first).</summary>
    public required string Cron { get; init; }

    /// <summary>The time zone the cron expression is read in (an IANA id such as <c>Europe/Berlin</c>).</summary>
    public required string TimeZone { get; init; }

    /// <summary>Whether the schedule is paused (<see cref="IRecurringJobs.PauseAsync"/>).</summary>
    public bool Paused { get; init; }

    /// <summary>
    /// Whether a process declares the schedule: false when the processes that started last no longer declare it
    /// (removed from code); such a row makes no jobs.
    /// </summary>
    public bool Enabled { get; init; }

    /// <summary>The most recent tick claimed (with or without a job), in UTC; null before the first.</summary>
    public DateTimeOffset? LastTick { get; init; }

    /// <summary>The id of the job the schedule made last (by a tick or by run now); null before the first.</summary>
    public Guid? LastJobId { get; init; }

    /// <summary>The next tick after now, in UTC; null when the schedule is paused or disabled, or has no further tick.</summary>
    public DateTimeOffset? NextTick { get; init; }
}
