using EfJobs.Migrations.Operations;
using Microsoft.EntityFrameworkCore.Migrations.Operations.Builders;

// In EF's own namespace because every generated migration already imports it: the generator cannot add a using
// for an operation's extension method, so a migration that calls these compiles as written.
namespace Microsoft.EntityFrameworkCore.Migrations;

/// <summary>The <see cref="MigrationBuilder"/> calls that EfJobs writes into migrations for job tables.</summary>
public static class JobNotificationMigrationBuilderExtensions
{
    /// <summary>
    /// Installs the notification triggers of a job table: the function <c>notify_job_queued_&lt;table&gt;()</c> and the
    /// triggers <c>did_insert_job_&lt;table&gt;</c> and <c>did_update_job_&lt;table&gt;</c>, which notify
    /// <c>job_available_&lt;table&gt;</c> (IHP's names). Creates only what is missing; never replaces a healthy trigger.
    /// </summary>
    /// <param name="migrationBuilder">The migration's builder.</param>
    /// <param name="table">The job table's name, unquoted.</param>
    /// <param name="schema">The table's schema, or null for the search path's.</param>
    /// <returns>A builder for the operation, to add annotations.</returns>
    public static OperationBuilder<CreateJobNotificationTriggersOperation> CreateJobNotificationTriggers(
        this MigrationBuilder migrationBuilder, string table, string? schema = null)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        ArgumentException.ThrowIfNullOrEmpty(table);
        var operation = new CreateJobNotificationTriggersOperation { Table = table, Schema = schema };
        migrationBuilder.Operations.Add(operation);
        return new OperationBuilder<CreateJobNotificationTriggersOperation>(operation);
    }

    /// <summary>Removes the notification triggers of a job table and their function, if they exist.</summary>
    /// <param name="migrationBuilder">The migration's builder.</param>
    /// <param name="table">The job table's name, unquoted.</param>
    /// <param name="schema">The table's schema, or null for the search path's.</param>
    /// <returns>A builder for the operation, to add annotations.</returns>
    public static OperationBuilder<DropJobNotificationTriggersOperation> DropJobNotificationTriggers(
        this MigrationBuilder migrationBuilder, string table, string? schema = null)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        ArgumentException.ThrowIfNullOrEmpty(table);
        var operation = new DropJobNotificationTriggersOperation { Table = table, Schema = schema };
        migrationBuilder.Operations.Add(operation);
        return new OperationBuilder<DropJobNotificationTriggersOperation>(operation);
    }
}
