using System.Diagnostics;
using EfJobs.Benchmarks.Infrastructure;
using EfJobs.Benchmarks.Model;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace EfJobs.Benchmarks.Scenarios;

/// <summary>
/// Scenario 6: ten job types registered, no jobs: how many statements per second the runner sends to an idle
/// database once it has started.
/// </summary>
/// <remarks>
/// What is counted: the calls that pg_stat_statements records for the idle scenario's own database, whose only client
/// is the runner; the bench reads and resets the statistics from the postgres database, so its own queries are not in
/// the count. Statements inside the runner's startup (listener's LISTEN, the first trigger checks and fetches) are
/// reported separately; the figure is the steady state after it. Without pg_stat_statements the bench falls back to
/// the database's xact_commit from pg_stat_database (each runner statement is one auto-committed transaction).
/// </remarks>
public static class IdleScenario
{
    public const double Target = 1;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

    public static async Task RunAsync(BenchRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        await using var idle = await BenchDatabase.CreateAsync<IdleDbContext>(run.Server.ConnectionString, "efjobs_bench_idle", run.Settings.MaxAutoPrepare, o => new IdleDbContext(o)).ConfigureAwait(false);
        await using var server = NpgsqlDataSource.Create(run.Server.ConnectionString);
        var oid = await ScalarAsync<uint>(server, $"SELECT oid FROM pg_database WHERE datname = '{idle.Name}'").ConfigureAwait(false);
        var statements = await TryEnableStatementsAsync(server).ConfigureAwait(false);
        var counter = statements
            ? $"SELECT coalesce(sum(calls), 0)::bigint FROM pg_stat_statements WHERE dbid = {oid}"
            : $"SELECT xact_commit FROM pg_stat_database WHERE datid = {oid}";

        if (statements)
        {
            await ScalarAsync<object>(server, $"SELECT pg_stat_statements_reset(0, {oid}, 0)").ConfigureAwait(false);
        }
        else
        {
            await ScalarAsync<object>(server, "SELECT pg_stat_clear_snapshot()").ConfigureAwait(false);
        }

        var before = await ScalarAsync<long>(server, counter).ConfigureAwait(false);
        using var host = EfJobsHost.BuildIdle(idle.ConnectionString, run.Settings.ContextRegistration);
        Measurement measurement;
        long startup, steady;
        await using (var probe = ResourceProbe.Start())
        {
            await EfJobsHost.StartAndWaitForListenerAsync(host, idle).ConfigureAwait(false);
            await Task.Delay(Settle).ConfigureAwait(false);
            var afterStartup = await ScalarAsync<long>(server, counter).ConfigureAwait(false);
            startup = afterStartup - before;
            Console.Error.WriteLine($"  idle: {startup} statements during startup; now counting for {run.Settings.IdleDuration.TotalSeconds:N0} s ...");
            var started = Stopwatch.GetTimestamp();
            await Task.Delay(run.Settings.IdleDuration).ConfigureAwait(false);
            steady = await ScalarAsync<long>(server, counter).ConfigureAwait(false) - afterStartup;
            probe.Stop();
            measurement = Measurement.From(probe, 0) with { Elapsed = Stopwatch.GetElapsedTime(started) };
        }

        if (statements)
        {
            await using var command = server.CreateCommand($"SELECT calls, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) FROM pg_stat_statements WHERE dbid = {oid} ORDER BY calls DESC LIMIT 6");
            await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                Console.Error.WriteLine($"    {reader.GetInt64(0),5} x {reader.GetString(1)}");
            }
        }

        await host.StopAsync().ConfigureAwait(false);
        var perSecond = steady / measurement.Elapsed.TotalSeconds;
        var source = statements ? "pg_stat_statements calls" : "pg_stat_database xact_commit";
        run.Results.Add(new ResultRow("idle", "10 types, no jobs", 0, 0, perSecond, "queries/s", Target: $"<= {Target} /s", Met: perSecond <= Target, AllocatedPerJob: null, PeakWorkingSetMb: measurement.PeakWorkingSetMb,
            Note: $"{steady} statements in {measurement.Elapsed.TotalSeconds:N0} s after startup ({startup} during startup); {source} of the runner's database only; allocated {measurement.AllocatedBytes / 1024:N0} KB in the window"));
    }

    private static async Task<bool> TryEnableStatementsAsync(NpgsqlDataSource server)
    {
        try
        {
            await ScalarAsync<object>(server, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements").ConfigureAwait(false);
            await ScalarAsync<object>(server, "SELECT count(*) FROM pg_stat_statements").ConfigureAwait(false);
            return true;
        }
        catch (PostgresException exception)
        {
            Console.Error.WriteLine($"  idle: pg_stat_statements unavailable ({exception.MessageText}); counting xact_commit instead");
            return false;
        }
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        var value = await command.ExecuteScalarAsync().ConfigureAwait(false);
        return value is T typed ? typed : (T)Convert.ChangeType(value!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }
}
