using EfJobs.Notifications;

namespace EfJobs.Migrations.Tests.Infrastructure;

/// <summary>Checks a job table's notification triggers against IHP's names and definition.</summary>
public static class TriggerAssert
{
    /// <summary>Asserts the table has exactly IHP's two triggers calling IHP's function, with IHP's WHEN clause.</summary>
    public static async Task InstalledAsync(ScratchDatabase database, string table, string schema = "public")
    {
        var qualifiedTable = $"\"{schema}\".\"{table.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
        var triggers = await database.TriggersAsync(qualifiedTable);
        Assert.Equal(2, triggers.Count);
        var function = JobNotificationNames.Function(table, schema);
        var insert = Assert.Single(triggers, t => t.StartsWith(JobNotificationNames.InsertTrigger(table, schema) + ": ", StringComparison.Ordinal));
        var update = Assert.Single(triggers, t => t.StartsWith(JobNotificationNames.UpdateTrigger(table, schema) + ": ", StringComparison.Ordinal));
        Assert.Contains(" AFTER INSERT ON ", insert, StringComparison.Ordinal);
        Assert.Contains(" AFTER UPDATE ON ", update, StringComparison.Ordinal);
        foreach (var trigger in triggers)
        {
            Assert.Contains("FOR EACH ROW WHEN (((new.status = 'job_status_not_started'::job_status) OR (new.status = 'job_status_retry'::job_status)))", trigger, StringComparison.Ordinal);
        }

        // Read the function's name from the catalog: pg_get_triggerdef quotes names that are not plain ASCII.
        var functions = await database.ListAsync($"""
            SELECT DISTINCT p.proname::text FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
             WHERE NOT t.tgisinternal AND t.tgrelid = to_regclass({ScratchDatabase.Literal(qualifiedTable)})
            """);
        Assert.Equal([function], functions);

        Assert.True(await database.ScalarAsync<bool>(NotificationTriggerSql.Healthy(table, schema)));
    }
}
