using EfJobs.Benchmarks.Infrastructure;
using EfJobs.Benchmarks.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Npgsql;

namespace EfJobs.Benchmarks.Scenarios;

/// <summary>
/// Scenario 3: enqueueing through EF (db.Add + SaveChanges, one job at a time; AddRange of 1,000 per SaveChanges)
/// against a raw single-row INSERT and a raw multi-row INSERT. Each EF operation uses a context of its own, as a web
/// request would (from a pooled factory when the run uses pooled contexts).
/// </summary>
public static class EnqueueScenario
{
    public const double Target = 0.7;

    /// <summary>Issue 17: BulkInsertJobsAsync against a raw binary COPY of the same rows.</summary>
    public const double CopyTarget = 0.8;
    private const int BatchSize = 1_000;

    public static async Task RunAsync(BenchRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var jobs = run.Settings.EnqueueJobs;
        var db = run.Database;
        var options = new DbContextOptionsBuilder<BenchDbContext>().UseNpgsql(db.ConnectionString, npgsql => npgsql.UseEfJobs()).Options;
        var pooled = run.Settings.ContextRegistration != "scoped" ? new PooledDbContextFactory<BenchDbContext>(options) : null;
        BenchDbContext CreateContext() => pooled?.CreateDbContext() ?? new BenchDbContext(options);
        await using var dataSource = NpgsqlDataSource.Create(db.ConnectionString);

        // Warm-up: EF's model, the pools and the JIT, unmeasured.
        await EfOneAtATimeAsync(CreateContext, Math.Min(jobs, 500), _ => { }).ConfigureAwait(false);
        await RawBaselines.InsertOneAtATimeAsync(dataSource, Math.Min(jobs, 500), _ => { }).ConfigureAwait(false);

        var rawSingle = await MeasureAsync(db, "enqueue raw INSERT", jobs, p => RawBaselines.InsertOneAtATimeAsync(dataSource, jobs, p)).ConfigureAwait(false);
        var efSingle = await MeasureAsync(db, "enqueue SaveChanges x1", jobs, p => EfOneAtATimeAsync(CreateContext, jobs, p)).ConfigureAwait(false);
        var rawMulti = await MeasureAsync(db, "enqueue raw multi-row INSERT", jobs, p => RawBaselines.InsertBatchesAsync(dataSource, jobs, BatchSize, p)).ConfigureAwait(false);
        var efBatch = await MeasureAsync(db, "enqueue AddRange x1000", jobs, p => EfBatchesAsync(CreateContext, jobs, p)).ConfigureAwait(false);
        var rawCopy = await MeasureAsync(db, "enqueue raw COPY", jobs, p => RawCopyAsync(dataSource, jobs, p)).ConfigureAwait(false);
        var efCopy = await MeasureAsync(db, "enqueue BulkInsertJobsAsync", jobs, p => EfCopyAsync(CreateContext, jobs, p)).ConfigureAwait(false);

        run.Results.Add(DrainScenario.Row("raw single-row INSERT", rawSingle, 1, "enqueue"));
        var ratio = efSingle.JobsPerSecond / rawSingle.JobsPerSecond;
        run.Results.Add(DrainScenario.Row("db.Add + SaveChanges, 1 per call", efSingle, 1, "enqueue") with
        {
            Ratio = ratio,
            Target = $">= {Target} x raw INSERT",
            Met = ratio >= Target,
        });
        run.Results.Add(DrainScenario.Row($"raw multi-row INSERT, {BatchSize} per statement", rawMulti, 1, "enqueue"));
        run.Results.Add(DrainScenario.Row($"AddRange, {BatchSize} per SaveChanges", efBatch, 1, "enqueue") with
        {
            Ratio = efBatch.JobsPerSecond / rawMulti.JobsPerSecond,
            Note = "ratio vs raw multi-row INSERT; no target",
        });
        run.Results.Add(DrainScenario.Row("raw binary COPY, one per call", rawCopy, 1, "enqueue"));
        var copyRatio = efCopy.JobsPerSecond / rawCopy.JobsPerSecond;
        run.Results.Add(DrainScenario.Row("BulkInsertJobsAsync, one per call", efCopy, 1, "enqueue") with
        {
            Ratio = copyRatio,
            Target = $">= {CopyTarget} x raw COPY",
            Met = copyRatio >= CopyTarget,
        });
        await db.ExecuteAsync($"TRUNCATE {BenchDatabase.Table}").ConfigureAwait(false);
    }

    private static async Task<Measurement> MeasureAsync(BenchDatabase db, string label, int jobs, Func<Action<long>, Task> enqueue)
    {
        await db.ExecuteAsync($"TRUNCATE {BenchDatabase.Table}").ConfigureAwait(false);
        await db.ExecuteAsync("CHECKPOINT").ConfigureAwait(false);
        long done = 0;
        Measurement measurement;
        await using (var progress = Progress.Start(label, jobs, () => Interlocked.Read(ref done)))
        await using (var probe = ResourceProbe.Start())
        {
            await enqueue(n => Interlocked.Exchange(ref done, n)).ConfigureAwait(false);
            probe.Stop();
            measurement = Measurement.From(probe, jobs);
        }

        var rows = await db.ScalarAsync<long>($"SELECT count(*) FROM {BenchDatabase.Table}").ConfigureAwait(false);
        if (rows != jobs)
        {
            throw new BenchCheckFailedException($"{label}: {jobs} enqueued but {rows} rows in the table");
        }

        return measurement;
    }

    private static async Task EfOneAtATimeAsync(Func<BenchDbContext> createContext, int jobs, Action<long> progress)
    {
        for (var i = 0; i < jobs; i++)
        {
            var db = createContext();
            await using (db.ConfigureAwait(false))
            {
                db.Add(new BenchJob());
                await db.SaveChangesAsync().ConfigureAwait(false);
            }

            progress(i + 1);
        }
    }

    private static async Task EfBatchesAsync(Func<BenchDbContext> createContext, int jobs, Action<long> progress)
    {
        for (var done = 0; done < jobs;)
        {
            var count = Math.Min(BatchSize, jobs - done);
            var db = createContext();
            await using (db.ConfigureAwait(false))
            {
                db.AddRange(Enumerable.Range(0, count).Select(_ => new BenchJob()));
                await db.SaveChangesAsync().ConfigureAwait(false);
            }

            done += count;
            progress(done);
        }
    }

    // The baseline of BulkInsertJobsAsync: the same columns (id, run_at) by hand, one COPY for every job.
    private static async Task RawCopyAsync(NpgsqlDataSource dataSource, int jobs, Action<long> progress)
    {
        await using var connection = await dataSource.OpenConnectionAsync().ConfigureAwait(false);
        await using (var importer = await connection.BeginBinaryImportAsync($"COPY {BenchDatabase.Table} (id, run_at) FROM STDIN (FORMAT BINARY)").ConfigureAwait(false))
        {
            var now = DateTime.UtcNow;
            for (var i = 0; i < jobs; i++)
            {
                await importer.StartRowAsync().ConfigureAwait(false);
                await importer.WriteAsync(Guid.CreateVersion7(), NpgsqlTypes.NpgsqlDbType.Uuid).ConfigureAwait(false);
                await importer.WriteAsync(now, NpgsqlTypes.NpgsqlDbType.TimestampTz).ConfigureAwait(false);
            }

            await importer.CompleteAsync().ConfigureAwait(false);
        }

        progress(jobs);
    }

    private static async Task EfCopyAsync(Func<BenchDbContext> createContext, int jobs, Action<long> progress)
    {
        var db = createContext();
        await using (db.ConfigureAwait(false))
        {
            await db.BulkInsertJobsAsync(Enumerable.Range(0, jobs).Select(_ => new BenchJob())).ConfigureAwait(false);
        }

        progress(jobs);
    }
}
