using Cronos;
using EfJobs.Model;

namespace EfJobs.Runner;

/// <summary>
/// One recurring job as declared in code with <c>AddRecurring</c>: name, parsed cron expression, time zone, options
/// and the factory of its jobs. Immutable; shared by the scheduler and <see cref="RecurringJobs"/>.
/// </summary>
internal abstract class RecurringSchedule
{
    /// <summary>The longest schedule name: it is a key in the database and appears in every log line of the schedule.</summary>
    public const int MaxNameLength = 200;

    protected RecurringSchedule(string name, string cron, TimeZoneInfo timeZone, RecurringJobOptions options, Type jobType)
    {
        Name = name;
        Cron = cron.Trim();
        TimeZone = timeZone;
        Options = options;
        JobType = jobType;
        Expression = Parse(name, Cron);
    }

    public string Name { get; }

    /// <summary>The cron expression as written (trimmed); stored in the schedules table and compared by the tick claim.</summary>
    public string Cron { get; }

    public CronExpression Expression { get; }

    public TimeZoneInfo TimeZone { get; }

    /// <summary>The time zone's id as stored: the IANA id the application passed (<c>TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")</c>).</summary>
    public string TimeZoneId => TimeZone.Id;

    public RecurringJobOptions Options { get; }

    public Type JobType { get; }

    /// <summary>Makes the job of one tick.</summary>
    public abstract JobBase CreateJob(RecurringTick tick);

    /// <summary>The next tick after <paramref name="now"/>, in UTC; null when the expression has none.</summary>
    public DateTimeOffset? NextTick(DateTimeOffset now) => Expression.GetNextOccurrence(now, TimeZone, inclusive: false)?.ToUniversalTime();

    /// <summary>Parses 5 fields (minute first) or 6 (second first), with a message that names the schedule.</summary>
    public static CronExpression Parse(string name, string cron)
    {
        var fields = cron.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        var format = fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard;
        try
        {
            return CronExpression.Parse(cron, format);
        }
        catch (CronFormatException exception)
        {
            throw new ArgumentException($"The cron expression '{cron}' of the recurring job '{name}' is not valid: {exception.Message} Use 5 fields (minute hour day month weekday) or 6 (second first).", nameof(cron), exception);
        }
    }
}
