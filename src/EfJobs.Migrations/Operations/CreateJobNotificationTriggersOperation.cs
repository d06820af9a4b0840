using EfJobs.Notifications;
using Microsoft.EntityFrameworkCore.Migrations.Operations;

namespace EfJobs.Migrations.Operations;

/// <summary>
/// Installs a job table's notification triggers (<c>notify_job_queued_&lt;table&gt;()</c>, <c>did_insert_job_&lt;table&gt;</c>,
/// <c>did_update_job_&lt;table&gt;</c>) with the SQL of <see cref="NotificationTriggerSql.Create"/>.
/// </summary>
/// <remarks>Written into migrations as <c>migrationBuilder.CreateJobNotificationTriggers("table")</c>.</remarks>
public class CreateJobNotificationTriggersOperation : MigrationOperation, ITableMigrationOperation
{
    /// <summary>The job table's name, unquoted.</summary>
    public virtual string Table { get; set; } = null!;

    /// <summary>The job table's schema, or null for the search path's.</summary>
    public virtual string? Schema { get; set; }
}
