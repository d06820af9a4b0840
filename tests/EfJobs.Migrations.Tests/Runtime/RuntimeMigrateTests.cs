using EfJobs.Migrations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;

namespace EfJobs.Migrations.Tests.Runtime;

/// <summary>
/// Database.MigrateAsync() with the migration `dotnet ef migrations add` generated for <see cref="RuntimeJobsContext"/>
/// (in Runtime/Migrations), in a process that has no Microsoft.EntityFrameworkCore.Design.
/// </summary>
public class RuntimeMigrateTests
{
    private const string Table = "runtime_mail_jobs";

    [Fact]
    public async Task MigrateAsync_installs_the_triggers_and_an_insert_notifies_only_after_commit()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        await using (var db = RuntimeJobsContext.Create(database.ConnectionString))
        {
            // EF 9+ refuses to migrate when the model differs from the snapshot, so this also checks that the
            // differ wrapper agrees with the generated snapshot.
            Assert.False(db.Database.HasPendingModelChanges());
            await db.Database.MigrateAsync();
        }

        await TriggerAssert.InstalledAsync(database, Table);
        Assert.Equal(["notify_job_queued_" + Table], await database.NotifyFunctionsAsync());

        await using var listener = await NotificationListener.ListenAsync(database, "job_available_" + Table);
        await using (var db = RuntimeJobsContext.Create(database.ConnectionString))
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.RuntimeMailJobs.Add(new RuntimeMailJob { Recipient = "a@example.com" });
            await db.SaveChangesAsync();
            Assert.False(await listener.WaitAsync(TimeSpan.FromMilliseconds(500)), "NOTIFY must wait for the commit");
            await transaction.CommitAsync();
        }

        Assert.True(await listener.WaitAsync(TimeSpan.FromSeconds(5)), "no notification after commit");
        Assert.Equal(["job_available_" + Table], listener.Channels);

        // The WHEN clause: a job set to retry notifies again, one that succeeded does not.
        await database.ExecuteAsync($"UPDATE {Table} SET status = 'job_status_succeeded'");
        Assert.False(await listener.WaitAsync(TimeSpan.FromMilliseconds(500)));
        await database.ExecuteAsync($"UPDATE {Table} SET status = 'job_status_retry'");
        Assert.True(await listener.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(2, listener.Channels.Count);
    }

    [Fact]
    public async Task The_idempotent_script_runs_twice_on_a_fresh_database_and_Down_removes_the_triggers()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        await using var db = RuntimeJobsContext.Create(database.ConnectionString);
        var migrator = db.GetService<IMigrator>();
        var script = migrator.GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);
        Assert.Contains("DO $EF$", script, StringComparison.Ordinal);
        Assert.Contains("DO $efjobs$", script, StringComparison.Ordinal);

        await database.ExecuteAsync(script);
        await database.ExecuteAsync(script);
        await TriggerAssert.InstalledAsync(database, Table);

        await migrator.MigrateAsync(Migration.InitialDatabase);
        Assert.Empty(await database.AllTriggerNamesAsync());
        Assert.Empty(await database.NotifyFunctionsAsync());
        Assert.Equal(0L, await database.ScalarAsync<long>($"SELECT count(*) FROM pg_class WHERE relname = '{Table}'"));
    }

    [Fact]
    public async Task Design_is_not_a_runtime_dependency()
    {
        Assert.False(File.Exists(Path.Combine(AppContext.BaseDirectory, "Microsoft.EntityFrameworkCore.Design.dll")));

        await using var database = await ScratchDatabase.CreateAsync();
        await using (var db = RuntimeJobsContext.Create(database.ConnectionString))
        {
            await db.Database.MigrateAsync();
        }

        Assert.DoesNotContain(AppDomain.CurrentDomain.GetAssemblies(), a => a.GetName().Name == "Microsoft.EntityFrameworkCore.Design");
        NpgsqlConnection.ClearAllPools();
    }
}
