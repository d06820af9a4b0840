using Npgsql;

namespace EfJobs.Tests.Infrastructure;

/// <summary>Base of tests that use a <see cref="TestDatabase"/>: each test starts with empty tables.</summary>
public abstract class DatabaseTest(TestDatabase database) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    protected TestDatabase Database { get; } = database;

    protected static readonly Guid WorkerA = Guid.Parse("aaaaaaaa-0000-0000-0000-000000000001");

    protected static readonly Guid WorkerB = Guid.Parse("bbbbbbbb-0000-0000-0000-000000000002");

    public Task InitializeAsync() => Database.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    protected TestDbContext CreateContext() => Database.CreateContext();

    protected async Task<List<TestJob>> AddTestJobsAsync(int count, Action<TestJob, int>? configure = null)
    {
        await using var db = CreateContext();
        var jobs = Enumerable.Range(0, count).Select(i =>
        {
            var job = new TestJob { Payload = "job " + i };
            configure?.Invoke(job, i);
            return job;
        }).ToList();
        db.AddRange(jobs);
        await db.SaveChangesAsync();
        return jobs;
    }

    protected async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = await Database.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    protected async Task ExecuteAsync(string sql)
    {
        await using var connection = await Database.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
