using EfJobs.Migrations.Operations;
using EfJobs.Notifications;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure.Internal;
using Npgsql.EntityFrameworkCore.PostgreSQL.Migrations;

namespace EfJobs.Migrations;

/// <summary>
/// Npgsql's migrations SQL generator plus EfJobs' operations: it writes <see cref="NotificationTriggerSql"/> for
/// <see cref="CreateJobNotificationTriggersOperation"/> and <see cref="DropJobNotificationTriggersOperation"/>.
/// <c>UseEfJobsMigrations()</c> installs it, so <c>Database.MigrateAsync()</c>, <c>dotnet ef database update</c>
/// and <c>dotnet ef migrations script</c> all emit the same SQL.
/// </summary>
/// <remarks>If you have a generator of your own, derive it from this class instead of Npgsql's.</remarks>
/// <param name="dependencies">EF's dependencies of a migrations SQL generator.</param>
/// <param name="npgsqlSingletonOptions">Npgsql's options, which its generator needs.</param>
#pragma warning disable EF1001 // Npgsql's generator takes its options through this interface; deriving from it is Npgsql's documented way to add operations.
public class EfJobsMigrationsSqlGenerator(MigrationsSqlGeneratorDependencies dependencies, INpgsqlSingletonOptions npgsqlSingletonOptions)
    : NpgsqlMigrationsSqlGenerator(dependencies, npgsqlSingletonOptions)
#pragma warning restore EF1001
{
    /// <inheritdoc />
    protected override void Generate(MigrationOperation operation, IModel? model, MigrationCommandListBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        switch (operation)
        {
            case CreateJobNotificationTriggersOperation create:
                Generate(create, builder);
                break;
            case DropJobNotificationTriggersOperation drop:
                Generate(drop, builder);
                break;
            default:
                base.Generate(operation, model, builder);
                break;
        }
    }

    /// <summary>Writes the install script of a job table's notification triggers as one command.</summary>
    /// <param name="operation">The operation.</param>
    /// <param name="builder">The command list being built.</param>
    protected virtual void Generate(CreateJobNotificationTriggersOperation operation, MigrationCommandListBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(builder);
        builder.AppendLines(NotificationTriggerSql.Create(operation.Table, operation.Schema));
        builder.EndCommand();
    }

    /// <summary>Writes the removal of a job table's notification triggers and function as one command.</summary>
    /// <param name="operation">The operation.</param>
    /// <param name="builder">The command list being built.</param>
    protected virtual void Generate(DropJobNotificationTriggersOperation operation, MigrationCommandListBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(builder);
        builder.AppendLines(NotificationTriggerSql.Drop(operation.Table, operation.Schema));
        builder.EndCommand();
    }
}
