using System.Globalization;
using EfJobs.Model;

namespace EfJobs.Notifications;

/// <summary>
/// The SQL that installs, checks and removes a job table's notification triggers (IHP's
/// <c>createNotificationTriggerSQL</c> and <c>notificationTriggersHealthy</c>). EfJobs.Migrations writes it into
/// migrations; the runner's health check and its opt-in repair run the same text.
/// </summary>
public static class NotificationTriggerSql
{
    /// <summary>How long the install waits for a lock before it gives up with a clear error.</summary>
    public static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A script that creates whatever is missing of the function and the two triggers, and nothing else.
    /// </summary>
    /// <remarks>
    /// It never drops or replaces a healthy trigger: IHP once ran DROP TRIGGER on worker start while pg_dump held a
    /// lock, and the queued lock request blocked every insert into the job table for hours. Installers serialise on
    /// an advisory lock (so eight installing at once all succeed, one after another), wait at most
    /// <see cref="LockTimeout"/> for any lock, and restore the session's lock_timeout afterwards because a migration
    /// runs this inside its own transaction. All names are quoted and come from <see cref="JobNotificationNames"/>, which the runner uses too.
    /// </remarks>
    /// <param name="table">The job table's name, unquoted.</param>
    /// <param name="schema">The table's schema, or null for the search path's.</param>
    public static string Create(string table, string? schema = null)
    {
        var qualifiedTable = PgIdentifier.Qualify(schema, table);
        var function = PgIdentifier.Qualify(schema, JobNotificationNames.Function(table, schema));
        var insertTrigger = JobNotificationNames.InsertTrigger(table, schema);
        var updateTrigger = JobNotificationNames.UpdateTrigger(table, schema);
        var channel = JobNotificationNames.Channel(table, schema);
        var lockTimeout = ((int)LockTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";
        var when = "WHEN (NEW.status = 'job_status_not_started' OR NEW.status = 'job_status_retry')";

        var functionBodyTag = DollarTag("efjobs_fn", table, schema);
        var body = $"""
            DECLARE
              previous_lock_timeout text := current_setting('lock_timeout');
            BEGIN
              PERFORM set_config('lock_timeout', {PgIdentifier.Literal(lockTimeout)}, true);
              PERFORM pg_advisory_xact_lock(hashtext({PgIdentifier.Literal("efjobs_triggers:" + insertTrigger)}));
              IF to_regprocedure({PgIdentifier.Literal(function + "()")}) IS NULL THEN
                CREATE FUNCTION {function}() RETURNS trigger AS {functionBodyTag}
                BEGIN
                  PERFORM pg_notify({PgIdentifier.Literal(channel)}, '');
                  RETURN NEW;
                END;
                {functionBodyTag} LANGUAGE plpgsql;
              END IF;
              IF NOT EXISTS (SELECT FROM pg_trigger WHERE tgrelid = {PgIdentifier.Literal(qualifiedTable)}::regclass AND tgname = {PgIdentifier.Literal(insertTrigger)}::name) THEN
                CREATE TRIGGER {PgIdentifier.Quote(insertTrigger)} AFTER INSERT ON {qualifiedTable}
                  FOR EACH ROW {when} EXECUTE FUNCTION {function}();
              END IF;
              IF NOT EXISTS (SELECT FROM pg_trigger WHERE tgrelid = {PgIdentifier.Literal(qualifiedTable)}::regclass AND tgname = {PgIdentifier.Literal(updateTrigger)}::name) THEN
                CREATE TRIGGER {PgIdentifier.Quote(updateTrigger)} AFTER UPDATE ON {qualifiedTable}
                  FOR EACH ROW {when} EXECUTE FUNCTION {function}();
              END IF;
              PERFORM set_config('lock_timeout', previous_lock_timeout, true);
            EXCEPTION WHEN lock_not_available THEN
              RAISE EXCEPTION 'EfJobs could not install the notification triggers of %: a lock was not granted within %', {PgIdentifier.Literal(qualifiedTable)}, {PgIdentifier.Literal(lockTimeout)}
                USING ERRCODE = 'lock_not_available',
                      HINT = 'Another transaction holds a lock on the table (a long migration, pg_dump, an open transaction). Run the migration again when it has finished.';
            END;
            """;
        var blockTag = DollarTag("efjobs", body, null);
        return $"DO {blockTag}\n{body}\n{blockTag};";
    }

    /// <summary>A script that removes the two triggers and the function, if they exist.</summary>
    /// <param name="table">The job table's name, unquoted.</param>
    /// <param name="schema">The table's schema, or null for the search path's.</param>
    public static string Drop(string table, string? schema = null)
    {
        var qualifiedTable = PgIdentifier.Qualify(schema, table);
        return $"""
            DROP TRIGGER IF EXISTS {PgIdentifier.Quote(JobNotificationNames.InsertTrigger(table, schema))} ON {qualifiedTable};
            DROP TRIGGER IF EXISTS {PgIdentifier.Quote(JobNotificationNames.UpdateTrigger(table, schema))} ON {qualifiedTable};
            DROP FUNCTION IF EXISTS {PgIdentifier.Qualify(schema, JobNotificationNames.Function(table, schema))}();
            """;
    }

    /// <summary>
    /// A query that returns true when both triggers exist and are enabled on the table (IHP's
    /// <c>notificationTriggersHealthy</c>). It reads only the catalog, so a role without DDL rights can run it.
    /// </summary>
    /// <param name="table">The job table's name, unquoted.</param>
    /// <param name="schema">The table's schema, or null for the search path's.</param>
    public static string Healthy(string table, string? schema = null)
    {
        var qualifiedTable = PgIdentifier.Literal(PgIdentifier.Qualify(schema, table));
        return $"""
            SELECT count(*) = 2 AS "Value" FROM pg_trigger
             WHERE tgrelid = to_regclass({qualifiedTable})
               AND tgname IN ({PgIdentifier.Literal(JobNotificationNames.InsertTrigger(table, schema))}::name, {PgIdentifier.Literal(JobNotificationNames.UpdateTrigger(table, schema))}::name)
               AND tgenabled <> 'D'
            """;
    }

    // A dollar-quote tag that does not occur in the quoted text, whatever the table is called.
    private static string DollarTag(string stem, string content, string? more)
    {
        for (var i = 0; ; i++)
        {
            var tag = "$" + stem + (i == 0 ? string.Empty : i.ToString(CultureInfo.InvariantCulture)) + "$";
            if (!content.Contains(tag, StringComparison.Ordinal) && (more is null || !more.Contains(tag, StringComparison.Ordinal)))
            {
                return tag;
            }
        }
    }
}
