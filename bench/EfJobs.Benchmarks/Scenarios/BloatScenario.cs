using EfJobs.Benchmarks.Infrastructure;

namespace EfJobs.Benchmarks.Scenarios;

/// <summary>
/// Scenario 5: drain throughput with a table already holding many succeeded rows and rows scheduled for the future,
/// as a ratio to the same drain on an empty table. The partial pending index is what should make the two alike.
/// The succeeded rows finished an hour ago, inside the default retention, so the pruner leaves them (see PruneScenario).
/// </summary>
public static class BloatScenario
{
    public const double Target = 0.9;

    public static async Task RunAsync(BenchRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var (jobs, c) = (run.Settings.Jobs, run.Settings.Concurrency);
        var (succeeded, future) = (run.Settings.BloatSucceededRows, run.Settings.BloatFutureRows);
        var db = run.Database;
        await run.Drains.WarmUpAsync(c).ConfigureAwait(false);
        var empty = await run.Drains.EfJobsAsync("bloat efjobs, empty table", jobs, c).ConfigureAwait(false);

        Console.Error.WriteLine($"  filling {succeeded:N0} succeeded and {future:N0} future rows ...");
        var bloated = await run.Drains.EfJobsAsync($"bloat efjobs, {succeeded + future:N0} other rows", jobs, c, prepare: async () =>
        {
            await db.ExecuteAsync($"TRUNCATE {BenchDatabase.Table}").ConfigureAwait(false);
            await db.ExecuteAsync($"""
                INSERT INTO {BenchDatabase.Table} (id, status, attempts_count, run_at, created_at, updated_at)
                SELECT {BenchDatabase.Uuid7Sql}, 'job_status_succeeded', 0, now() - interval '1 hour', now() - interval '1 hour', now() - interval '1 hour'
                  FROM generate_series(1, {succeeded})
                """).ConfigureAwait(false);
            await db.ExecuteAsync($"""
                INSERT INTO {BenchDatabase.Table} (id, run_at)
                SELECT {BenchDatabase.Uuid7Sql}, now() + interval '1 day' FROM generate_series(1, {future})
                """).ConfigureAwait(false);
            await db.InsertDueAsync(jobs).ConfigureAwait(false);
            await db.SettleAsync().ConfigureAwait(false);
        }).ConfigureAwait(false);

        var remainingFuture = await db.ScalarAsync<long>($"SELECT count(*) FROM {BenchDatabase.Table} WHERE run_at > now() AND attempts_count = 0").ConfigureAwait(false);
        if (remainingFuture != future)
        {
            throw new BenchCheckFailedException($"bloat: {future - remainingFuture} future-scheduled jobs were run early");
        }

        run.Results.Add(DrainScenario.Row("efjobs, empty table", empty, c, "bloat"));
        var ratio = bloated.JobsPerSecond / empty.JobsPerSecond;
        run.Results.Add(DrainScenario.Row($"efjobs, +{succeeded:N0} succeeded +{future:N0} future", bloated, c, "bloat") with
        {
            Ratio = ratio,
            Target = $">= {Target} x empty",
            Met = ratio >= Target,
        });
        await db.ExecuteAsync($"TRUNCATE {BenchDatabase.Table}").ConfigureAwait(false);
    }
}
