using EfJobs.Benchmarks.Model;
using Npgsql;
using NpgsqlTypes;

namespace EfJobs.Benchmarks.Infrastructure;

/// <summary>
/// The hand-written baselines: plain Npgsql on the same table and database, with the same fetch statement and the
/// same guarded completion as EfJobs (IHP's semantics), and nothing else: no EF, no DI, no host.
/// </summary>
public static class RawBaselines
{
    private const string Table = BenchDatabase.Table;

    private const string Fetch = $"""
        UPDATE {Table} SET status = 'job_status_running', locked_at = now(), locked_by = $1,
          attempts_count = attempts_count + 1, updated_at = now()
        WHERE id IN (
          SELECT id FROM {Table}
           WHERE (status = 'job_status_not_started' OR status = 'job_status_retry') AND locked_by IS NULL AND run_at <= now()
           ORDER BY run_at, created_at
           LIMIT $2
           FOR UPDATE SKIP LOCKED)
        RETURNING id, attempts_count
        """;

    private const string SucceedOne = $"""
        UPDATE {Table} SET status = 'job_status_succeeded', locked_by = NULL, locked_at = NULL, updated_at = now()
        WHERE id = $1 AND attempts_count = $2 AND locked_by = $3 AND status = 'job_status_running'
        """;

    // The same statement as EfJobs' batched success (JobQueueSql.SucceedBatch): lookups by primary key, update by ctid,
    // a plan that holds on a table without statistics. The plain join with unnest it replaced was as slow here as in
    // EfJobs on the bench's fresh tables (PrepareDrainAsync), so the baseline keeps the better SQL too.
    private const string SucceedMany = $"""
        UPDATE {Table} AS j SET status = 'job_status_succeeded', locked_by = NULL, locked_at = NULL, updated_at = now()
        WHERE j.ctid = ANY (ARRAY(
            SELECT mine.ctid
              FROM unnest($1::uuid[], $2::int[]) AS done(id, attempts_count)
              CROSS JOIN LATERAL (
                SELECT ctid FROM {Table}
                 WHERE id = done.id AND attempts_count = done.attempts_count AND locked_by = $3 AND status = 'job_status_running'
                 LIMIT 1) AS mine))
          AND j.locked_by = $3
        """;

    /// <summary>
    /// raw-single: <paramref name="concurrency"/> connections, each fetching one job, running it and recording its
    /// success with one UPDATE, until nothing is due. IHP's loop, hand-written.
    /// </summary>
    public static Task RunSingleAsync(NpgsqlDataSource dataSource, int concurrency, ExecutionRecorder recorder) =>
        RunWorkersAsync(dataSource, concurrency, 1, recorder);

    /// <summary>
    /// raw-batch: <paramref name="concurrency"/> connections, each fetching up to 100 jobs, running them and recording
    /// their successes with one UPDATE per batch, until nothing is due.
    /// </summary>
    public static Task RunBatchAsync(NpgsqlDataSource dataSource, int concurrency, ExecutionRecorder recorder) =>
        RunWorkersAsync(dataSource, concurrency, 100, recorder);

    /// <summary>One INSERT per job, auto-committed: what an application writes by hand.</summary>
    public static async Task InsertOneAtATimeAsync(NpgsqlDataSource dataSource, int jobs, Action<long> progress)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(progress);
        await using var connection = await dataSource.OpenConnectionAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"INSERT INTO {Table} (id) VALUES ($1)", connection);
        var id = new NpgsqlParameter<Guid>();
        command.Parameters.Add(id);
        for (var i = 0; i < jobs; i++)
        {
            id.TypedValue = Guid.CreateVersion7();
            await command.ExecuteNonQueryAsync().ConfigureAwait(false);
            progress(i + 1);
        }
    }

    /// <summary>One multi-row INSERT (unnest of an id array) per <paramref name="batchSize"/> jobs.</summary>
    public static async Task InsertBatchesAsync(NpgsqlDataSource dataSource, int jobs, int batchSize, Action<long> progress)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(progress);
        await using var connection = await dataSource.OpenConnectionAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"INSERT INTO {Table} (id) SELECT unnest($1::uuid[])", connection);
        var ids = new NpgsqlParameter<Guid[]>();
        command.Parameters.Add(ids);
        for (var done = 0; done < jobs;)
        {
            var batch = new Guid[Math.Min(batchSize, jobs - done)];
            for (var i = 0; i < batch.Length; i++)
            {
                batch[i] = Guid.CreateVersion7();
            }

            ids.TypedValue = batch;
            await command.ExecuteNonQueryAsync().ConfigureAwait(false);
            done += batch.Length;
            progress(done);
        }
    }

    private static async Task RunWorkersAsync(NpgsqlDataSource dataSource, int concurrency, int fetchLimit, ExecutionRecorder recorder)
    {
        var workerId = Guid.NewGuid();
        var workers = new Task[concurrency];
        for (var i = 0; i < concurrency; i++)
        {
            workers[i] = Task.Run(() => WorkAsync(dataSource, workerId, fetchLimit, recorder));
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
    }

    private static async Task WorkAsync(NpgsqlDataSource dataSource, Guid workerId, int fetchLimit, ExecutionRecorder recorder)
    {
        await using var connection = await dataSource.OpenConnectionAsync().ConfigureAwait(false);
        await using var fetch = new NpgsqlCommand(Fetch, connection);
        fetch.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = workerId });
        fetch.Parameters.Add(new NpgsqlParameter<int> { TypedValue = fetchLimit });
        await using var succeedOne = new NpgsqlCommand(SucceedOne, connection);
        var oneId = new NpgsqlParameter<Guid>();
        var oneAttempt = new NpgsqlParameter<int>();
        succeedOne.Parameters.Add(oneId);
        succeedOne.Parameters.Add(oneAttempt);
        succeedOne.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = workerId });
        await using var succeedMany = new NpgsqlCommand(SucceedMany, connection);
        var manyIds = new NpgsqlParameter<Guid[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid };
        var manyAttempts = new NpgsqlParameter<int[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer };
        succeedMany.Parameters.Add(manyIds);
        succeedMany.Parameters.Add(manyAttempts);
        succeedMany.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = workerId });

        var ids = new List<Guid>(fetchLimit);
        var attempts = new List<int>(fetchLimit);
        while (true)
        {
            ids.Clear();
            attempts.Clear();
            await using (var reader = await fetch.ExecuteReaderAsync().ConfigureAwait(false))
            {
                while (await reader.ReadAsync().ConfigureAwait(false))
                {
                    ids.Add(reader.GetGuid(0));
                    attempts.Add(reader.GetInt32(1));
                }
            }

            if (ids.Count == 0)
            {
                return;
            }

            // The "handler": the same no-op the EfJobs variant runs.
            foreach (var id in ids)
            {
                recorder.Record(id);
            }

            if (fetchLimit == 1)
            {
                oneId.TypedValue = ids[0];
                oneAttempt.TypedValue = attempts[0];
                await succeedOne.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
            else
            {
                manyIds.TypedValue = [.. ids];
                manyAttempts.TypedValue = [.. attempts];
                await succeedMany.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
        }
    }
}
