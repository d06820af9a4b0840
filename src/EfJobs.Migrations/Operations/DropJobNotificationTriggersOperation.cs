using EfJobs.Notifications;
using Microsoft.EntityFrameworkCore.Migrations.Operations;

namespace EfJobs.Migrations.Operations;

/// <summary>
/// Removes a job table's two notification triggers and their function with the SQL of
/// <see cref="NotificationTriggerSql.Drop"/>.
/// </summary>
/// <remarks>Written into migrations as <c>migrationBuilder.DropJobNotificationTriggers("table")</c>.</remarks>
public class DropJobNotificationTriggersOperation : MigrationOperation, ITableMigrationOperation
{
    /// <summary>The job table's name, unquoted.</summary>
    public virtual string Table { get; set; } = null!;

    /// <summary>The job table's schema, or null for the search path's.</summary>
    public virtual string? Schema { get; set; }
}
