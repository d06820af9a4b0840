using EfJobs.Model;

namespace EfJobs.Notifications;

/// <summary>
/// The names of a job table's notification objects. For a table in <c>public</c> (or with no schema) whose names fit
/// PostgreSQL's 63 bytes they are exactly IHP's, so an IHP worker and EfJobs share one set of triggers; elsewhere they
/// carry the schema, and a name that would be too long is cut and given a short stable hash (see
/// <see cref="PgIdentifier.Derive"/>), so every job table gets names of its own.
/// </summary>
public static class JobNotificationNames
{
    /// <summary>
    /// The channel a job table's triggers notify (IHP's <c>channelName</c>): <c>job_available_&lt;table&gt;</c> in
    /// public, <c>job_available_&lt;schema&gt;.&lt;table&gt;</c> in another schema. Channels are database-wide, so two
    /// tables of the same name in two schemas get two channels.
    /// </summary>
    /// <param name="table">The job table's name, unquoted.</param>
    /// <param name="schema">The table's schema, or null for the default one.</param>
    public static string Channel(string table, string? schema = null) => PgIdentifier.Derive("job_available_", schema, table);

    /// <summary>The trigger function, created in the table's schema: <c>notify_job_queued_&lt;table&gt;</c> (as <see cref="Channel"/>).</summary>
    /// <param name="table">The job table's name, unquoted.</param>
    /// <param name="schema">The table's schema, or null for the default one.</param>
    public static string Function(string table, string? schema = null) => PgIdentifier.Derive("notify_job_queued_", schema, table);

    /// <summary>The AFTER INSERT trigger: <c>did_insert_job_&lt;table&gt;</c> (as <see cref="Channel"/>).</summary>
    /// <param name="table">The job table's name, unquoted.</param>
    /// <param name="schema">The table's schema, or null for the default one.</param>
    public static string InsertTrigger(string table, string? schema = null) => PgIdentifier.Derive("did_insert_job_", schema, table);

    /// <summary>The AFTER UPDATE trigger: <c>did_update_job_&lt;table&gt;</c> (as <see cref="Channel"/>).</summary>
    /// <param name="table">The job table's name, unquoted.</param>
    /// <param name="schema">The table's schema, or null for the default one.</param>
    public static string UpdateTrigger(string table, string? schema = null) => PgIdentifier.Derive("did_update_job_", schema, table);
}
