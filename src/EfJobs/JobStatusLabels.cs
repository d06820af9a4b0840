using EfJobs;
using Npgsql;

namespace EfJobs;

/// <summary>
/// Converts between <see cref="JobStatus"/> and the labels of the PostgreSQL enum <c>job_status</c>
/// (IHP's <c>textToEnumJobStatus</c> and its inverse).
/// </summary>
public static class JobStatusLabels
{
    /// <summary>The name of the PostgreSQL enum type.</summary>
    public const string EnumName = "job_status";

    /// <summary>Label of <see cref="JobStatus.NotStarted"/>.</summary>
    public const string NotStarted = "job_status_not_started";

    /// <summary>Label of <see cref="JobStatus.Running"/>.</summary>
    public const string Running = "job_status_running";

    /// <summary>Label of <see cref="JobStatus.Failed"/>.</summary>
    public const string Failed = "job_status_failed";

    /// <summary>Label of <see cref="JobStatus.TimedOut"/>.</summary>
    public const string TimedOut = "job_status_timed_out";

    /// <summary>Label of <see cref="JobStatus.Succeeded"/>.</summary>
    public const string Succeeded = "job_status_succeeded";

    /// <summary>Label of <see cref="JobStatus.Retry"/>.</summary>
    public const string Retry = "job_status_retry";

    /// <summary>
    /// Maps <see cref="JobStatus"/> members to these labels; pass it to Npgsql's <c>MapEnum</c> when you build your
    /// own NpgsqlDataSource.
    /// </summary>
    public static INpgsqlNameTranslator NameTranslator => JobStatusNameTranslator.Instance;

    /// <summary>Every label, in the order of the enum's declaration in IHP's schema.</summary>
    public static IReadOnlyList<string> All { get; } = [NotStarted, Running, Failed, TimedOut, Succeeded, Retry];

    /// <summary>Returns the database label of <paramref name="status"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined <see cref="JobStatus"/>.</exception>
    public static string ToLabel(JobStatus status) => status switch
    {
        JobStatus.NotStarted => NotStarted,
        JobStatus.Running => Running,
        JobStatus.Failed => Failed,
        JobStatus.TimedOut => TimedOut,
        JobStatus.Succeeded => Succeeded,
        JobStatus.Retry => Retry,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Not a defined JobStatus."),
    };

    /// <summary>Parses a database label; returns false for anything that is not one of <see cref="All"/>.</summary>
    public static bool TryParse(string? label, out JobStatus status)
    {
        switch (label)
        {
            case NotStarted: status = JobStatus.NotStarted; return true;
            case Running: status = JobStatus.Running; return true;
            case Failed: status = JobStatus.Failed; return true;
            case TimedOut: status = JobStatus.TimedOut; return true;
            case Succeeded: status = JobStatus.Succeeded; return true;
            case Retry: status = JobStatus.Retry; return true;
            default: status = default; return false;
        }
    }

    /// <summary>Parses a database label (IHP's <c>textToEnumJobStatus</c>).</summary>
    /// <exception cref="FormatException">The text is not a <c>job_status</c> label; the message lists the valid ones.</exception>
    public static JobStatus Parse(string label) =>
        TryParse(label, out var status)
            ? status
            : throw new FormatException(
                $"'{label}' is not a {EnumName} label. Expected one of: {string.Join(", ", All)}.");
}
