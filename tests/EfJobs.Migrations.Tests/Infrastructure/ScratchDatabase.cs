using Npgsql;

namespace EfJobs.Migrations.Tests.Infrastructure;

/// <summary>
/// A database of its own on the PostgreSQL in EFJOBS_TEST_CONNECTION (./test.sh starts one), dropped on dispose.
/// </summary>
public sealed class ScratchDatabase : IAsyncDisposable
{
    private ScratchDatabase(string name, string connectionString)
    {
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("EFJOBS_TEST_CONNECTION")
        ?? throw new InvalidOperationException("EFJOBS_TEST_CONNECTION is not set. Run the tests with ./test.sh, which starts PostgreSQL and sets it.");

    public static async Task<ScratchDatabase> CreateAsync()
    {
        var name = "efjobs_mig_" + Guid.NewGuid().ToString("N")[..12];
        await using (var server = new NpgsqlConnection(ServerConnectionString))
        {
            await server.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", server);
            await create.ExecuteNonQueryAsync();
        }

        var connectionString = new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = name }.ConnectionString;
        return new ScratchDatabase(name, connectionString);
    }

    public async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async Task<List<string>> ListAsync(string sql)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    /// <summary>The user triggers on a table, as "name: definition", sorted.</summary>
    public Task<List<string>> TriggersAsync(string qualifiedTable) =>
        ListAsync($"""
            SELECT tgname || ': ' || pg_get_triggerdef(oid) FROM pg_trigger
             WHERE NOT tgisinternal AND tgrelid = to_regclass({Literal(qualifiedTable)}) ORDER BY tgname
            """);

    /// <summary>Every user trigger in the database, by name, sorted.</summary>
    public Task<List<string>> AllTriggerNamesAsync() =>
        ListAsync("SELECT tgname::text FROM pg_trigger WHERE NOT tgisinternal ORDER BY tgname");

    /// <summary>The functions whose name starts with notify_job_queued_, sorted.</summary>
    public Task<List<string>> NotifyFunctionsAsync() =>
        ListAsync("SELECT proname::text FROM pg_proc WHERE proname LIKE 'notify\\_job\\_queued\\_%' ORDER BY proname");

    public static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var server = new NpgsqlConnection(ServerConnectionString);
        await server.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", server);
        await drop.ExecuteNonQueryAsync();
    }
}
