using EfJobs.Model;

namespace EfJobs.Notifications;

/// <summary>
/// IHP's names for a job table's notification objects, cut to 63 bytes as PostgreSQL cuts them, so that an IHP worker
/// and EfJobs share one set of triggers.
/// </summary>
public static class JobNotificationNames
{
    /// <summary>The channel a job table's triggers notify: <c>job_available_&lt;table&gt;</c> (IHP's <c>channelName</c>).</summary>
    public static string Channel(string table) => PgIdentifier.Truncate("job_available_" + table);

    /// <summary>The trigger function: <c>notify_job_queued_&lt;table&gt;</c>.</summary>
    public static string Function(string table) => PgIdentifier.Truncate("notify_job_queued_" + table);

    /// <summary>The AFTER INSERT trigger: <c>did_insert_job_&lt;table&gt;</c>.</summary>
    public static string InsertTrigger(string table) => PgIdentifier.Truncate("did_insert_job_" + table);

    /// <summary>The AFTER UPDATE trigger: <c>did_update_job_&lt;table&gt;</c>.</summary>
    public static string UpdateTrigger(string table) => PgIdentifier.Truncate("did_update_job_" + table);
}
