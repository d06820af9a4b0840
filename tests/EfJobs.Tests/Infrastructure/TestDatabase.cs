using Microsoft.EntityFrameworkCore;
using Npgsql;
using Respawn;

namespace EfJobs.Tests.Infrastructure;

/// <summary>
/// A database of its own on the PostgreSQL that ./test.sh started (EFJOBS_TEST_CONNECTION), with the test model's
/// tables and notification triggers. Respawn empties it between tests.
/// </summary>
public sealed class TestDatabase : IAsyncLifetime
{
    private Respawner? _respawner;

    public string ConnectionString { get; private set; } = "";

    public string DatabaseName { get; } = "efjobs_test_" + Guid.NewGuid().ToString("N")[..12];

    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("EFJOBS_TEST_CONNECTION")
        ?? throw new InvalidOperationException("EFJOBS_TEST_CONNECTION is not set. Run the tests with ./test.sh, which starts PostgreSQL and sets it.");

    public async Task InitializeAsync()
    {
        await CreateEmptyAsync();
        await CreateSchemaAsync();
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        // Respawn does not quote a name with a double quote in it, so the hostile-name table is emptied by hand.
        _respawner = await Respawner.CreateAsync(connection, new RespawnerOptions
        {
            DbAdapter = DbAdapter.Postgres,
            SchemasToInclude = ["public"],
            TablesToIgnore = [new Respawn.Graph.Table("public", TestDbContext.QuotedTable)],
        });
    }

    /// <summary>Creates the database without any table, as an application sees it before its first migration.</summary>
    public async Task CreateEmptyAsync()
    {
        await using (var server = new NpgsqlConnection(ServerConnectionString))
        {
            await server.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{DatabaseName}\"", server);
            await create.ExecuteNonQueryAsync();
        }

        ConnectionString = new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = DatabaseName }.ConnectionString;
    }

    /// <summary>
    /// Creates the model's tables, types and notification triggers, as the migration does; with
    /// <paramref name="connectionString"/>, through connections of its own (a separate process would).
    /// </summary>
    public async Task CreateSchemaAsync(string? connectionString = null)
    {
        await using var db = CreateContext(connectionString);
        await db.Database.EnsureJobsCreatedAsync();
    }

    public TestDbContext CreateContext(string? connectionString = null) =>
        new(Options(connectionString ?? ConnectionString));

    public static DbContextOptions<TestDbContext> Options(string connectionString) =>
        new DbContextOptionsBuilder<TestDbContext>()
            .UseNpgsql(connectionString, npgsql => npgsql.UseEfJobs())
            .Options;

    public async Task ResetAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await _respawner!.ResetAsync(connection);
        await using var truncate = new NpgsqlCommand($"TRUNCATE {Model.PgIdentifier.Qualify("public", TestDbContext.QuotedTable)}", connection);
        await truncate.ExecuteNonQueryAsync();
    }

    public async Task<NpgsqlConnection> OpenConnectionAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var server = new NpgsqlConnection(ServerConnectionString);
        await server.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{DatabaseName}\" WITH (FORCE)", server);
        await drop.ExecuteNonQueryAsync();
    }
}
