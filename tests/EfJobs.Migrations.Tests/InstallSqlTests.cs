using System.Diagnostics;
using System.Text;
using EfJobs.Migrations.Tests.Infrastructure;
using EfJobs.Notifications;
using Npgsql;

namespace EfJobs.Migrations.Tests;

/// <summary>The install SQL that CreateJobNotificationTriggers runs (NotificationTriggerSql.Create), on a real server.</summary>
public class InstallSqlTests(InstallDatabase fixture) : IClassFixture<InstallDatabase>
{
    private ScratchDatabase Database => fixture.Database;

    [Fact]
    public async Task Running_the_install_twice_keeps_the_same_triggers_and_restores_lock_timeout()
    {
        await fixture.CreateJobTableAsync("twice_jobs");
        await Database.ExecuteAsync(NotificationTriggerSql.Create("twice_jobs"));
        var oidsBefore = await TriggerOidsAsync("twice_jobs");

        await using (var connection = await Database.OpenAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await using var install = new NpgsqlCommand(NotificationTriggerSql.Create("twice_jobs"), connection, transaction);
            await install.ExecuteNonQueryAsync();
            await using var show = new NpgsqlCommand("SHOW lock_timeout", connection, transaction);
            // A migration runs the install inside its own transaction: the 5 s lock_timeout must not leak into it.
            Assert.Equal("0", (string)(await show.ExecuteScalarAsync())!);
            await transaction.CommitAsync();
        }

        await TriggerAssert.InstalledAsync(Database, "twice_jobs");
        Assert.Equal(oidsBefore, await TriggerOidsAsync("twice_jobs"));
        Assert.Single(await Database.NotifyFunctionsAsync(), f => f == "notify_job_queued_twice_jobs");
    }

    [Fact]
    public async Task The_install_creates_only_the_missing_trigger()
    {
        await fixture.CreateJobTableAsync("partial_jobs");
        await Database.ExecuteAsync(NotificationTriggerSql.Create("partial_jobs"));
        var insertOid = await Database.ScalarAsync<uint>("SELECT oid FROM pg_trigger WHERE tgname = 'did_insert_job_partial_jobs'");
        await Database.ExecuteAsync("DROP TRIGGER did_update_job_partial_jobs ON partial_jobs");
        Assert.False(await Database.ScalarAsync<bool>(NotificationTriggerSql.Healthy("partial_jobs")));

        await Database.ExecuteAsync(NotificationTriggerSql.Create("partial_jobs"));

        await TriggerAssert.InstalledAsync(Database, "partial_jobs");
        Assert.Equal(insertOid, await Database.ScalarAsync<uint>("SELECT oid FROM pg_trigger WHERE tgname = 'did_insert_job_partial_jobs'"));
    }

    [Fact]
    public async Task Eight_connections_installing_at_once_all_succeed()
    {
        for (var round = 0; round < 3; round++)
        {
            var table = "concurrent_jobs_" + round;
            await fixture.CreateJobTableAsync(table);
            var connections = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Database.OpenAsync()));
            try
            {
                var transactions = await Task.WhenAll(connections.Select(c => c.BeginTransactionAsync().AsTask()));
                using var start = new Barrier(8);
                var installs = connections.Select((connection, i) => Task.Run(async () =>
                {
                    start.SignalAndWait();
                    await using var install = new NpgsqlCommand(NotificationTriggerSql.Create(table), connection, transactions[i]);
                    await install.ExecuteNonQueryAsync();
                    await transactions[i].CommitAsync();
                }));

                await Task.WhenAll(installs);
            }
            finally
            {
                foreach (var connection in connections)
                {
                    await connection.DisposeAsync();
                }
            }

            await TriggerAssert.InstalledAsync(Database, table);
            Assert.Equal(1, await Database.ScalarAsync<long>($"SELECT count(*) FROM pg_proc WHERE proname = 'notify_job_queued_{table}'"));
        }
    }

    [Fact]
    public async Task A_long_table_name_gets_names_cut_to_63_bytes_on_a_character_boundary()
    {
        // 2-byte characters put the 63-byte cut in the middle of one: the names must match what the server stores.
        var table = "long_" + new string('é', 20) + "_" + new string('x', 20) + "_jobs";
        Assert.True(Encoding.UTF8.GetByteCount("did_insert_job_" + table) > 63);
        await fixture.CreateJobTableAsync(table);

        await Database.ExecuteAsync(NotificationTriggerSql.Create(table));
        await Database.ExecuteAsync(NotificationTriggerSql.Create(table));

        await TriggerAssert.InstalledAsync(Database, table);
        foreach (var name in new[] { JobNotificationNames.InsertTrigger(table), JobNotificationNames.UpdateTrigger(table), JobNotificationNames.Function(table), JobNotificationNames.Channel(table) })
        {
            Assert.InRange(Encoding.UTF8.GetByteCount(name), 60, 63);
        }

        await using var listener = await NotificationListener.ListenAsync(Database, JobNotificationNames.Channel(table));
        await Database.ExecuteAsync($"INSERT INTO \"{table}\" DEFAULT VALUES");
        Assert.True(await listener.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal([JobNotificationNames.Channel(table)], listener.Channels);

        await Database.ExecuteAsync(NotificationTriggerSql.Drop(table));
        Assert.Empty(await Database.TriggersAsync($"\"public\".\"{table}\""));
        Assert.DoesNotContain(JobNotificationNames.Function(table), await Database.NotifyFunctionsAsync());
    }

    [Fact]
    public async Task A_table_locked_by_another_transaction_fails_with_55P03_naming_the_table_instead_of_hanging()
    {
        await fixture.CreateJobTableAsync("locked_jobs");
        await using var holder = await Database.OpenAsync();
        await using var holding = await holder.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE locked_jobs IN ACCESS EXCLUSIVE MODE", holder, holding))
        {
            await lockTable.ExecuteNonQueryAsync();
        }

        var stopwatch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<PostgresException>(() => Database.ExecuteAsync(NotificationTriggerSql.Create("locked_jobs")));
        stopwatch.Stop();

        Assert.Equal(PostgresErrorCodes.LockNotAvailable, error.SqlState);
        Assert.Contains("locked_jobs", error.MessageText, StringComparison.Ordinal);
        Assert.InRange(stopwatch.Elapsed, NotificationTriggerSql.LockTimeout - TimeSpan.FromMilliseconds(500), NotificationTriggerSql.LockTimeout + TimeSpan.FromSeconds(15));

        // Nothing half-installed stays behind, and once the lock is gone the same script succeeds.
        await holding.RollbackAsync();
        Assert.Empty(await Database.TriggersAsync("\"public\".\"locked_jobs\""));
        Assert.DoesNotContain("notify_job_queued_locked_jobs", await Database.NotifyFunctionsAsync());
        await Database.ExecuteAsync(NotificationTriggerSql.Create("locked_jobs"));
        await TriggerAssert.InstalledAsync(Database, "locked_jobs");
    }

    [Fact]
    public async Task Drop_removes_triggers_and_function_and_can_run_again()
    {
        await fixture.CreateJobTableAsync("dropped_jobs");
        await Database.ExecuteAsync(NotificationTriggerSql.Create("dropped_jobs"));

        await Database.ExecuteAsync(NotificationTriggerSql.Drop("dropped_jobs"));
        await Database.ExecuteAsync(NotificationTriggerSql.Drop("dropped_jobs"));

        Assert.Empty(await Database.TriggersAsync("\"public\".\"dropped_jobs\""));
        Assert.DoesNotContain("notify_job_queued_dropped_jobs", await Database.NotifyFunctionsAsync());
    }

    private Task<List<string>> TriggerOidsAsync(string table) =>
        Database.ListAsync($"SELECT oid::text FROM pg_trigger WHERE NOT tgisinternal AND tgrelid = '{table}'::regclass ORDER BY oid");
}
