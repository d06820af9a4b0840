using EfJobs.Benchmarks.Model;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace EfJobs.Benchmarks.Infrastructure;

/// <summary>
/// A database of the bench's own on the bench server, created with Database.EnsureJobsCreatedAsync (tables and
/// notification triggers), plus the bookkeeping SQL of the scenarios (fill, reset, checks). Bookkeeping runs on its own data source so that its
/// statements are never mistaken for the runner's.
/// </summary>
public sealed class BenchDatabase : IAsyncDisposable
{
    public const string Table = "bench_jobs";

    /// <summary>IHP's pending condition; the fill and the checks use it so that the pending index serves them.</summary>
    public const string Pending = "(status = 'job_status_not_started' OR status = 'job_status_retry') AND locked_by IS NULL";

    private BenchDatabase(string name, string connectionString, NpgsqlDataSource bookkeeping)
    {
        Name = name;
        ConnectionString = connectionString;
        Bookkeeping = bookkeeping;
    }

    public string Name { get; }

    /// <summary>What EfJobs and the baselines connect with (the run's Max Auto Prepare included).</summary>
    public string ConnectionString { get; }

    public NpgsqlDataSource Bookkeeping { get; }

    public static async Task<BenchDatabase> CreateAsync<TContext>(string serverConnectionString, string name, int maxAutoPrepare, Func<DbContextOptions<TContext>, TContext> createContext)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(createContext);
        await using (var server = new NpgsqlConnection(serverConnectionString))
        {
            await server.OpenAsync().ConfigureAwait(false);
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", server);
            await drop.ExecuteNonQueryAsync().ConfigureAwait(false);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", server);
            await create.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        var builder = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = name, MaxAutoPrepare = maxAutoPrepare, MaxPoolSize = 200 };
        var connectionString = builder.ConnectionString;
        var options = new DbContextOptionsBuilder<TContext>().UseNpgsql(connectionString, npgsql => npgsql.UseEfJobs()).Options;
        await using (var db = createContext(options))
        {
            await db.Database.EnsureJobsCreatedAsync().ConfigureAwait(false);

            // No autovacuum on the job tables: a drain measures the table as prepared, never one analyzed halfway.
            foreach (var table in db.Model.GetEntityTypes().Select(e => e.GetTableName()).Distinct())
            {
                var sql = "ALTER TABLE \"" + table!.Replace("\"", "\"\"", StringComparison.Ordinal) + "\" SET (autovacuum_enabled = false)";
                await db.Database.ExecuteSqlRawAsync(sql).ConfigureAwait(false);
            }
        }

        var bookkeeping = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "efjobs-bench-bookkeeping", MaxAutoPrepare = 0 };
        return new BenchDatabase(name, connectionString, NpgsqlDataSource.Create(bookkeeping.ConnectionString));
    }

    public static Task<BenchDatabase> CreateBenchAsync(string serverConnectionString, int maxAutoPrepare) =>
        CreateAsync<BenchDbContext>(serverConnectionString, "efjobs_bench", maxAutoPrepare, o => new BenchDbContext(o));

    /// <summary>
    /// Empties the table and inserts <paramref name="jobs"/> due jobs in one statement, then leaves the table as an
    /// application's is right after its migration and first enqueue: no statistics (none was ever gathered, or they
    /// are forgotten) and no VACUUM. A CHECKPOINT keeps one out of the measurement. Every variant starts alike.
    /// </summary>
    /// <remarks>
    /// The bench used to VACUUM ANALYZE here, which hid a plan that only a table with statistics gets right (issue 17:
    /// the batched success update on a fresh table). Autovacuum is off for the bench table so none runs mid-drain;
    /// <c>SettleAsync</c> remains for the scenarios whose table is old by design (bloat, latency).
    /// </remarks>
    public async Task PrepareDrainAsync(int jobs)
    {
        await ExecuteAsync($"TRUNCATE {Table}").ConfigureAwait(false);
        await InsertDueAsync(jobs).ConfigureAwait(false);
        await ForgetStatisticsAsync().ConfigureAwait(false);
        await ExecuteAsync("CHECKPOINT").ConfigureAwait(false);
    }

    /// <summary>
    /// Puts the bench table back to "never analyzed" (TRUNCATE keeps statistics): needs a superuser, which the bench's
    /// own cluster has. Elsewhere the statistics of earlier scenarios stay, and the run says so on stderr.
    /// </summary>
    public async Task ForgetStatisticsAsync()
    {
        try
        {
            await ExecuteAsync($"""
                DELETE FROM pg_statistic WHERE starelid = '{Table}'::regclass;
                UPDATE pg_class SET reltuples = -1, relpages = 0, relallvisible = 0 WHERE oid = '{Table}'::regclass
                """).ConfigureAwait(false);
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            if (!_warnedStatistics)
            {
                _warnedStatistics = true;
                Console.Error.WriteLine($"note: the bench role is not a superuser, so drains run on a table with the statistics of earlier scenarios ({exception.MessageText})");
            }
        }
    }

    private bool _warnedStatistics;

    public Task InsertDueAsync(int jobs) =>
        ExecuteAsync($"INSERT INTO {Table} (id) SELECT {Uuid7Sql} FROM generate_series(1, {jobs})");

    /// <summary>
    /// A time-ordered UUID (version 7) in SQL, for PostgreSQL 15 which has no uuidv7(): jobs enqueued through EF get
    /// such ids (JobIdGenerator), so the bench's bulk inserts make the same ones.
    /// </summary>
    public const string Uuid7Sql =
        "encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) placing substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3) from 1 for 6), 52, 1), 53, 1), 'hex')::uuid";

    /// <summary>VACUUM ANALYZE (fresh statistics and visibility map) and a CHECKPOINT (so none lands inside a measurement).</summary>
    public async Task SettleAsync()
    {
        await ExecuteAsync($"VACUUM ANALYZE {Table}").ConfigureAwait(false);
        await ExecuteAsync("CHECKPOINT").ConfigureAwait(false);
    }

    /// <summary>True while any job is due or running: the multi-process scenario's end condition. Both halves use a partial index.</summary>
    public async Task<bool> AnyUnfinishedAsync(CancellationToken cancellationToken = default) =>
        await ScalarAsync<bool>($"SELECT EXISTS (SELECT FROM {Table} WHERE {Pending}) OR EXISTS (SELECT FROM {Table} WHERE status = 'job_status_running')", cancellationToken).ConfigureAwait(false);

    /// <summary>True while a fetched job's success is not yet written (served by the running index).</summary>
    public async Task<bool> AnyRunningAsync(CancellationToken cancellationToken = default) =>
        await ScalarAsync<bool>($"SELECT EXISTS (SELECT FROM {Table} WHERE status = 'job_status_running')", cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Checks that exactly <paramref name="expected"/> jobs succeeded, each in one attempt, and throws otherwise. Jobs
    /// that were never fetched (attempts_count 0) and are not due (the bloat scenario's filler) are left out.
    /// </summary>
    public async Task VerifyDrainedAsync(long expected, long executions, string what)
    {
        await using var command = Bookkeeping.CreateCommand(
            $"""
            SELECT count(*) FILTER (WHERE status = 'job_status_succeeded' AND attempts_count > 0),
                   count(*) FILTER (WHERE status <> 'job_status_succeeded' AND (run_at <= now() OR attempts_count > 0)),
                   coalesce(max(attempts_count), 0)
              FROM {Table}
            """);
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        await reader.ReadAsync().ConfigureAwait(false);
        var (succeeded, unfinished, maxAttempts) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt32(2));
        if (succeeded != expected || unfinished != 0 || maxAttempts > 1 || executions != expected)
        {
            throw new BenchCheckFailedException(
                $"{what}: expected {expected} jobs run once each; handler executions {executions}, succeeded rows {succeeded}, unfinished rows {unfinished}, max attempts_count {maxAttempts}");
        }
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var command = Bookkeeping.CreateCommand(sql);
        command.CommandTimeout = 600;
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    public async Task<T> ScalarAsync<T>(string sql, CancellationToken cancellationToken = default)
    {
        await using var command = Bookkeeping.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public async ValueTask DisposeAsync()
    {
        await Bookkeeping.DisposeAsync().ConfigureAwait(false);
    }
}
