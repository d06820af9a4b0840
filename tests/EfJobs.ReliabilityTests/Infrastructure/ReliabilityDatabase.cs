using EfJobs.ReliabilityTests.Worker;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace EfJobs.ReliabilityTests.Infrastructure;

/// <summary>
/// A database of its own on the server in EFJOBS_TEST_CONNECTION, with the job tables, their notification triggers and
/// the executions table; dropped at the end. One per test, so nothing leaks between scenarios.
/// </summary>
public sealed class ReliabilityDatabase : IAsyncDisposable
{
    private readonly string _server;

    private ReliabilityDatabase(string name, string server)
    {
        Name = name;
        _server = server;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    /// <summary>The server's connection string (to its postgres database).</summary>
    public string Server => _server;

    public string Name { get; }

    public string ConnectionString { get; }

    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("EFJOBS_TEST_CONNECTION")
        ?? throw new InvalidOperationException("EFJOBS_TEST_CONNECTION is not set. Run the tests with ./test.sh, which starts PostgreSQL and sets it.");

    /// <param name="serverConnectionString">Another server than EFJOBS_TEST_CONNECTION's (the private one the restart scenario restarts).</param>
    public static async Task<ReliabilityDatabase> CreateAsync(string? serverConnectionString = null)
    {
        var database = new ReliabilityDatabase("efjobs_rel_" + Guid.NewGuid().ToString("N")[..12], serverConnectionString ?? ServerConnectionString);
        await using (var server = new NpgsqlConnection(database._server))
        {
            await server.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database.Name}\"", server);
            await create.ExecuteNonQueryAsync();
        }

        await using var db = database.CreateContext();
        await db.Database.EnsureJobsCreatedAsync();

        await database.ExecuteAsync(ReliabilityContext.ExecutionsDdl);
        return database;
    }

    public ReliabilityContext CreateContext(string? connectionString = null) =>
        new(new DbContextOptionsBuilder<ReliabilityContext>()
            .UseNpgsql(connectionString ?? ConnectionString, npgsql => npgsql.UseEfJobs())
            .Options);

    public async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async Task<int> ExecuteAsync(string sql, params object[] parameters)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return await command.ExecuteNonQueryAsync();
    }

    public async Task<T> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default! : (T)Convert.ChangeType(value, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<List<object?[]>> RowsAsync(string sql, params object[] parameters)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        var rows = new List<object?[]>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>Inserts <paramref name="count"/> jobs in one statement and returns their ids.</summary>
    public async Task<List<Guid>> EnqueueAsync(int count, int workMs = 0, string mode = JobModes.Ok)
    {
        var rows = await RowsAsync(
            "INSERT INTO reliability_jobs (work_ms, mode) SELECT $1, $2 FROM generate_series(1, $3) RETURNING id",
            workMs, mode, count);
        return rows.Select(r => (Guid)r[0]!).ToList();
    }

    public Task<long> CountAsync(string where) => ScalarAsync<long>("SELECT count(*) FROM reliability_jobs WHERE " + where);

    /// <summary>Executions beyond the first of each job: work done twice.</summary>
    public Task<long> DuplicatedAsync() => ScalarAsync<long>("SELECT count(*) - count(DISTINCT job_id) FROM executions");

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await using var server = new NpgsqlConnection(_server);
            await server.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", server);
            await drop.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException)
        {
            // The server may be restarting after a scenario that restarts it; the database is a throwaway one anyway.
        }
    }
}
