namespace EfJobs.Model;

/// <summary>
/// A row of the schedules table (<see cref="RecurringJobScheduleConvention"/> adds it to every EfJobs model, so
/// <c>dotnet ef migrations add</c> creates it): one recurring job's definition, the last tick claimed, and the
/// operator's switches. The tick claim is a compare-and-set on <see cref="LastTick"/>.
/// </summary>
internal sealed class RecurringJobSchedule
{
    public const string Table = "efjobs_recurring_schedules";

    /// <summary>The schedule's name (primary key).</summary>
    public string Name { get; set; } = "";

    /// <summary>The job table the schedule inserts into, unquoted, for operators and the overlap check.</summary>
    public string JobTable { get; set; } = "";

    public string Cron { get; set; } = "";

    public string TimeZone { get; set; } = "";

    /// <summary>When the current definition took effect (created, changed, re-enabled, resumed): earlier ticks are not its.</summary>
    public DateTimeOffset Since { get; set; }

    /// <summary>The latest tick claimed, with or without a job; null before the first.</summary>
    public DateTimeOffset? LastTick { get; set; }

    /// <summary>The job made last, for the overlap check and operators.</summary>
    public Guid? LastJobId { get; set; }

    public bool Paused { get; set; }

    /// <summary>False once the processes that started last no longer declare the schedule.</summary>
    public bool Enabled { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
