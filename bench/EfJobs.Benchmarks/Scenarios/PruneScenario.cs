using EfJobs.Benchmarks.Infrastructure;

namespace EfJobs.Benchmarks.Scenarios;

/// <summary>
/// Issue 15: the drain while every process's pruner deletes finished rows past their retention, as a ratio to the same
/// drain with retention off, on a table that also holds the bloat scenario's succeeded rows (finished two days ago,
/// past the default SucceededRetention of one day). PruneInterval is 1 s, so pruning runs throughout the drain.
/// </summary>
public static class PruneScenario
{
    public const double Target = 0.9;

    public static async Task RunAsync(BenchRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var (jobs, c, old) = (run.Settings.Jobs, run.Settings.Concurrency, run.Settings.BloatSucceededRows);
        var db = run.Database;
        await run.Drains.WarmUpAsync(c).ConfigureAwait(false);
        Func<Task> prepare = async () =>
        {
            await db.ExecuteAsync($"TRUNCATE {BenchDatabase.Table}").ConfigureAwait(false);
            await db.ExecuteAsync($"""
                INSERT INTO {BenchDatabase.Table} (id, status, attempts_count, run_at, created_at, updated_at)
                SELECT {BenchDatabase.Uuid7Sql}, 'job_status_succeeded', 0, now() - interval '2 days', now() - interval '2 days', now() - interval '2 days'
                  FROM generate_series(1, {old})
                """).ConfigureAwait(false);
            await db.InsertDueAsync(jobs).ConfigureAwait(false);
            await db.SettleAsync().ConfigureAwait(false);
        };

        Console.Error.WriteLine($"  filling {old:N0} succeeded rows finished two days ago, twice ...");
        var kept = await run.Drains.EfJobsAsync("prune off", jobs, c, o => o.SucceededRetention = null, prepare, p => p.PruneInterval = TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        var pruning = await run.Drains.EfJobsAsync("prune on", jobs, c, o => o.SucceededRetention = TimeSpan.FromDays(1), prepare, p => p.PruneInterval = TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        var left = await db.ScalarAsync<long>($"SELECT count(*) FROM {BenchDatabase.Table} WHERE updated_at < now() - interval '1 day'").ConfigureAwait(false);

        run.Results.Add(DrainScenario.Row($"efjobs, {old:N0} old rows kept (retention off)", kept, c, "prune"));
        var ratio = pruning.JobsPerSecond / kept.JobsPerSecond;
        run.Results.Add(DrainScenario.Row($"efjobs, pruning them (SucceededRetention 1 day, PruneInterval 1 s)", pruning, c, "prune") with
        {
            Ratio = ratio,
            Target = $">= {Target} x retention off",
            Met = ratio >= Target,
            Note = $"{old - left:N0} of {old:N0} old rows deleted by the end of the drain",
        });
        await db.ExecuteAsync($"TRUNCATE {BenchDatabase.Table}").ConfigureAwait(false);
    }
}
