using EfJobs.Notifications;
using EfJobs.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace EfJobs.Tests;

/// <summary>Database.EnsureJobsCreatedAsync on a database of its own: tables, triggers, and a second call.</summary>
public sealed class EnsureJobsCreatedTests : IAsyncLifetime
{
    private readonly string _database = "efjobs_ensure_" + Guid.NewGuid().ToString("N")[..12];
    private string _connectionString = "";

    public async Task InitializeAsync()
    {
        await using var server = new NpgsqlConnection(TestDatabase.ServerConnectionString);
        await server.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{_database}\"", server);
        await create.ExecuteNonQueryAsync();
        _connectionString = new NpgsqlConnectionStringBuilder(TestDatabase.ServerConnectionString) { Database = _database }.ConnectionString;
    }

    [Fact]
    public async Task Creates_every_job_table_with_its_triggers_and_a_second_call_repairs_missing_ones()
    {
        await using var db = new TestDbContext(TestDatabase.Options(_connectionString));

        Assert.True(await db.Database.EnsureJobsCreatedAsync());
        Assert.True(await db.NotificationTriggersHealthyAsync<TestJob>());
        Assert.True(await db.NotificationTriggersHealthyAsync<OtherJob>());
        Assert.True(await db.NotificationTriggersHealthyAsync<QuotedNameJob>());
        Assert.True(await db.NotificationTriggersHealthyAsync<LongNameJob>());

        await db.Database.ExecuteSqlRawAsync(NotificationTriggerSql.Drop("other_jobs"));
        Assert.False(await db.NotificationTriggersHealthyAsync<OtherJob>());

        Assert.False(await db.Database.EnsureJobsCreatedAsync());
        Assert.True(await db.NotificationTriggersHealthyAsync<OtherJob>());
    }

    [Fact]
    public async Task An_enqueued_job_notifies_its_channel()
    {
        await using (var db = new TestDbContext(TestDatabase.Options(_connectionString)))
        {
            await db.Database.EnsureJobsCreatedAsync();
        }

        await using var listener = new NpgsqlConnection(_connectionString);
        await listener.OpenAsync();
        var notified = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        listener.Notification += (_, e) => notified.TrySetResult(e.Channel);
        await using (var listen = new NpgsqlCommand($"LISTEN {JobNotificationNames.Channel("test_jobs")}", listener))
        {
            await listen.ExecuteNonQueryAsync();
        }

        await using (var db = new TestDbContext(TestDatabase.Options(_connectionString)))
        {
            db.Add(new TestJob { Payload = "notify me" });
            await db.SaveChangesAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!notified.Task.IsCompleted)
        {
            await listener.WaitAsync(timeout.Token);
        }

        Assert.Equal(JobNotificationNames.Channel("test_jobs"), await notified.Task);
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var server = new NpgsqlConnection(TestDatabase.ServerConnectionString);
        await server.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", server);
        await drop.ExecuteNonQueryAsync();
    }
}
