using EfJobs.Migrations.Operations;
using EfJobs.Migrations.Tests.Infrastructure;
using EfJobs.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;

namespace EfJobs.Migrations.Tests.Differ;

/// <summary>
/// The operations UseEfJobsMigrations() adds to the differences `dotnet ef migrations add` scaffolds, and the SQL they
/// turn into, applied to a real database.
/// </summary>
public class ModelDifferTests
{
    [Fact]
    public void UseEfJobsMigrations_installs_the_differ_wrapper_and_the_sql_generator_and_plain_UseEfJobs_does_not()
    {
        using var with = new MovingJobsContext();
        Assert.IsType<JobNotificationModelDiffer>(with.GetService<IMigrationsModelDiffer>());
        Assert.IsType<EfJobsMigrationsSqlGenerator>(with.GetService<IMigrationsSqlGenerator>());

        using var without = new WithoutMigrationsContext();
        Assert.IsNotType<JobNotificationModelDiffer>(without.GetService<IMigrationsModelDiffer>());
        Assert.IsNotType<EfJobsMigrationsSqlGenerator>(without.GetService<IMigrationsSqlGenerator>());
    }

    [Fact]
    public void A_new_job_table_gets_its_triggers_right_after_CreateTable_and_Down_drops_them_before_DropTable()
    {
        using var context = new MovingJobsContext();
        var up = Differences(null, context);
        var createTable = up.OfType<CreateTableOperation>().Single(o => o.Name == "moving_jobs");
        var next = Assert.IsType<CreateJobNotificationTriggersOperation>(up[IndexOf(up, createTable) + 1]);
        Assert.Equal(("moving_jobs", (string?)null), (next.Table, next.Schema));
        Assert.Single(up.OfType<CreateJobNotificationTriggersOperation>());
        Assert.DoesNotContain(up, o => o is DropJobNotificationTriggersOperation);

        var down = Differences(context, null);
        var drop = Assert.IsType<DropJobNotificationTriggersOperation>(down[0]);
        Assert.Equal("moving_jobs", drop.Table);
        Assert.True(IndexOf(down, down.OfType<DropTableOperation>().Single(o => o.Name == "moving_jobs")) > 0);
    }

    [Fact]
    public void An_unchanged_model_has_no_differences_and_a_table_that_is_not_a_job_gets_no_triggers()
    {
        using var context = new MovingJobsContext();
        var model = context.GetService<IDesignTimeModel>().Model.GetRelationalModel();
        var differ = context.GetService<IMigrationsModelDiffer>();
        Assert.False(differ.HasDifferences(model, model));
        Assert.Empty(differ.GetDifferences(model, model));

        using var noJobs = new NoJobsContext();
        Assert.DoesNotContain(Differences(null, noJobs), o => o is CreateJobNotificationTriggersOperation);
        Assert.True(differ.HasDifferences(noJobs.GetService<IDesignTimeModel>().Model.GetRelationalModel(), model));
    }

    [Fact]
    public async Task Renaming_a_job_table_moves_its_triggers_drop_old_first_create_new_last()
    {
        using var before = new MovingJobsContext();
        using var after = new MovedJobsContext();
        var operations = Differences(before, after);

        var drop = Assert.IsType<DropJobNotificationTriggersOperation>(operations[0]);
        Assert.Equal("moving_jobs", drop.Table);
        var create = Assert.IsType<CreateJobNotificationTriggersOperation>(operations[^1]);
        Assert.Equal("moved_jobs", create.Table);
        Assert.Contains(operations, o => o is RenameTableOperation { Name: "moving_jobs", NewName: "moved_jobs" });

        await using var database = await ScratchDatabase.CreateAsync();
        await ApplyAsync(database, after, Differences(null, before));
        await TriggerAssert.InstalledAsync(database, "moving_jobs");
        await ApplyAsync(database, after, operations);

        await TriggerAssert.InstalledAsync(database, "moved_jobs");
        Assert.Equal(["notify_job_queued_moved_jobs"], await database.NotifyFunctionsAsync());
        Assert.Equal(["did_insert_job_moved_jobs", "did_update_job_moved_jobs"], await database.AllTriggerNamesAsync());

        // And back, as the migration's Down would.
        await ApplyAsync(database, before, Differences(after, before));
        await TriggerAssert.InstalledAsync(database, "moving_jobs");
        Assert.Equal(["notify_job_queued_moving_jobs"], await database.NotifyFunctionsAsync());
    }

    [Fact]
    public async Task Moving_a_job_table_to_another_schema_installs_its_triggers_and_function_there()
    {
        using var before = new MovingJobsContext();
        using var after = new SchemaJobsContext();
        var operations = Differences(before, after);
        var create = Assert.IsType<CreateJobNotificationTriggersOperation>(operations[^1]);
        Assert.Equal(("moving_jobs", "jobs"), (create.Table, create.Schema));

        await using var database = await ScratchDatabase.CreateAsync();
        await ApplyAsync(database, before, Differences(null, before));
        await ApplyAsync(database, after, operations);

        await TriggerAssert.InstalledAsync(database, "moving_jobs", "jobs");
        // Outside public the names carry the schema (channels are database-wide): notify_job_queued_jobs.moving_jobs.
        var function = JobNotificationNames.Function("moving_jobs", "jobs");
        Assert.Equal("notify_job_queued_jobs.moving_jobs", function);
        Assert.Equal("jobs", await database.ScalarAsync<string>(
            $"SELECT nspname::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE proname = '{function}'"));
        Assert.Equal(1, await database.ScalarAsync<long>("SELECT count(*) FROM pg_proc WHERE proname LIKE 'notify\\_job\\_queued\\_%'"));
    }

    [Fact]
    public async Task Removing_a_job_table_drops_its_triggers_and_function()
    {
        using var before = new MovingJobsContext();
        using var after = new NoJobsContext();
        var operations = Differences(before, after);
        Assert.IsType<DropJobNotificationTriggersOperation>(operations[0]);

        await using var database = await ScratchDatabase.CreateAsync();
        await ApplyAsync(database, before, Differences(null, before));
        await ApplyAsync(database, after, operations);

        Assert.Empty(await database.AllTriggerNamesAsync());
        Assert.Empty(await database.NotifyFunctionsAsync());
    }

    private static IReadOnlyList<MigrationOperation> Differences(DbContext? source, DbContext? target)
    {
        var differ = (target ?? source)!.GetService<IMigrationsModelDiffer>();
        return differ.GetDifferences(RelationalModel(source), RelationalModel(target));
    }

    private static IRelationalModel? RelationalModel(DbContext? context) =>
        context?.GetService<IDesignTimeModel>().Model.GetRelationalModel();

    private static int IndexOf(IReadOnlyList<MigrationOperation> operations, MigrationOperation operation) =>
        operations.Select((o, i) => (o, i)).Single(p => ReferenceEquals(p.o, operation)).i;

    // Runs the operations through the context's SQL generator, as a migration would.
    private static async Task ApplyAsync(ScratchDatabase database, DbContext context, IReadOnlyList<MigrationOperation> operations)
    {
        var commands = context.GetService<IMigrationsSqlGenerator>().Generate(operations, context.GetService<IDesignTimeModel>().Model);
        await using var connection = await database.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        foreach (var command in commands)
        {
            await using var sql = new Npgsql.NpgsqlCommand(command.CommandText, connection, transaction);
            await sql.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
        await connection.ReloadTypesAsync();
    }
}
