using EfJobs.Model;
using EfJobs.Notifications;
using EfJobs.Queue;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace EfJobs;

/// <summary>
/// The queue's operations on a DbContext: IHP.Job.Queue's functions, with batch forms and guarded results.
/// The runner uses them; call them yourself to build your own worker or tooling.
/// </summary>
/// <remarks>
/// Every result update applies only while the row is still running and locked by the given worker, and says whether
/// it applied: a job that stale recovery handed to another worker cannot be overwritten by its first, late worker.
/// Every timestamp comes from the database clock. Each operation is one auto-committed statement.
/// </remarks>
public static class JobQueueOperations
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromDays(3650);

    /// <summary>
    /// Locks up to <paramref name="limit"/> due jobs for <paramref name="workerId"/> in one statement
    /// (<c>FOR UPDATE SKIP LOCKED</c>), marking them running and counting the attempt, then reads them with an ordinary
    /// EF query, so owned types, JSON columns and auto-included navigations load as anywhere else. The jobs are not
    /// tracked.
    /// </summary>
    /// <remarks>
    /// A job type that is exactly its table's columns (no owned types, complex or JSON properties, navigations or
    /// shared table) is read from the locking statement's <c>RETURNING</c>: one round trip per batch. Any other takes
    /// two: the locking statement, which returns ids, and the query that reads the entities.
    /// The first commits on its own, so when a row cannot be read the rows stay locked to the worker and
    /// <see cref="SalvageFetchedJobsAsync{TJob}"/> can take them over. A row whose attempts_count cannot be counted up
    /// (2147483647 or negative, written by another writer) is marked failed by the fetch instead of blocking it.
    /// </remarks>
    /// <returns>The jobs now owned by the worker, in fetch order; empty when none is due.</returns>
    public static async Task<IReadOnlyList<TJob>> FetchJobsAsync<TJob>(this DbContext db, Guid workerId, int limit, CancellationToken cancellationToken = default)
        where TJob : JobBase
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var table = JobTables.Get<TJob>(db);
        if (table.IsFlat)
        {
            return await FetchRowsAsync<TJob>(db, table, workerId, limit, cancellationToken).ConfigureAwait(false);
        }

        var sql = JobQueueSql.Fetch(table);
        var ids = new List<Guid>(limit);
        var room = limit;
        while (true)
        {
            var asked = room;
            var rows = await PlanCacheRetry.RunAsync(ct => ReadFetchedIdsAsync(db, sql, workerId, asked, ct), cancellationToken).ConfigureAwait(false);
            var corrupt = 0;
            foreach (var (id, isCorrupt) in rows)
            {
                if (isCorrupt)
                {
                    corrupt++;
                }
                else
                {
                    ids.Add(id);
                }
            }

            // A failed corrupt row took a place in the batch: fetch again for it while the batch came back full.
            if (corrupt == 0 || rows.Count < asked)
            {
                break;
            }

            room = limit - ids.Count;
        }

        if (ids.Count == 0)
        {
            return [];
        }

        var taken = ids.ToArray();
        var jobs = await PlanCacheRetry.RunAsync(
            ct => db.Set<TJob>()
                .AsNoTracking()
                .IgnoreQueryFilters()
                .Where(j => taken.Contains(j.Id))
                .ToListAsync(ct),
            cancellationToken).ConfigureAwait(false);

        // The query returns rows in no particular order; the fetch's order (run_at, created_at) is the one to keep.
        var order = new Dictionary<Guid, int>(taken.Length);
        for (var i = 0; i < taken.Length; i++)
        {
            order[taken[i]] = i;
        }

        jobs.Sort((a, b) => order[a.Id].CompareTo(order[b.Id]));
        return jobs;
    }

    // The ids of JobQueueSql.Fetch, read by position on the context's connection and transaction. Not SqlQueryRaw of a
    // row type: a naming convention (EFCore.NamingConventions' snake case) renames that type's columns too, and the
    // statement's column names would no longer match.
    private static async Task<List<(Guid Id, bool Corrupt)>> ReadFetchedIdsAsync(DbContext db, string sql, Guid workerId, int limit, CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened)
        {
            await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            command.Parameters.Add(new NpgsqlParameter<Guid>("worker_id", workerId));
            command.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
            var rows = new List<(Guid, bool)>(limit);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add((reader.GetGuid(0), reader.GetBoolean(2)));
            }

            return rows;
        }
        finally
        {
            if (opened)
            {
                await db.Database.CloseConnectionAsync().ConfigureAwait(false);
            }
        }
    }

    // The one-statement fetch of a flat job type (JobQueueSql.FetchRows). Rows the statement failed for their
    // attempts_count come back unlocked and failed: they are dropped, and fetched for again while the batch was full.
    private static async Task<IReadOnlyList<TJob>> FetchRowsAsync<TJob>(DbContext db, JobTable table, Guid workerId, int limit, CancellationToken cancellationToken)
        where TJob : JobBase
    {
        var sql = JobQueueSql.FetchRows(table);
        List<TJob>? jobs = null;
        var room = limit;
        while (true)
        {
            var asked = room;
            var rows = await PlanCacheRetry.RunAsync(
                ct => db.Set<TJob>()
                    .FromSqlRaw(sql, new NpgsqlParameter<Guid>("worker_id", workerId), new NpgsqlParameter<int>("limit", asked))
                    .AsNoTracking()
                    .IgnoreQueryFilters()
                    .ToListAsync(ct),
                cancellationToken).ConfigureAwait(false);
            var corrupt = rows.RemoveAll(static j => j.Status != JobStatus.Running);
            if (jobs is null)
            {
                jobs = rows;
            }
            else
            {
                jobs.AddRange(rows);
            }

            if (corrupt == 0 || rows.Count + corrupt < asked)
            {
                return jobs;
            }

            room = limit - jobs.Count;
        }
    }

    /// <summary>
    /// Takes over the running jobs locked to <paramref name="workerId"/> that the caller does not hold: rows a fetch
    /// locked but could not hand over, because one of them could not be read into <typeparamref name="TJob"/>. The
    /// fetch is a single <c>UPDATE ... RETURNING</c>, so its rows are committed as running before EF reads them, and
    /// one unreadable row (a payload the entity cannot represent, say an enum label written by a newer version of the
    /// application) would otherwise hold back the whole batch until stale recovery.
    /// </summary>
    /// <remarks>
    /// Each row is read on its own. Those that read are returned and belong to the caller from now on; each one that
    /// cannot be read gets a failed attempt like a handler's exception (retry after backoff while attempts are left,
    /// failed after <paramref name="maxAttempts"/>) with the read error in last_error, and is reported to
    /// <paramref name="unreadable"/>. Call it only while no other fetch of this worker for the type is in flight: rows
    /// of such a fetch are locked to the worker but not yet held by the caller.
    /// </remarks>
    /// <param name="db">The context.</param>
    /// <param name="workerId">The worker whose failed fetch locked the rows.</param>
    /// <param name="heldJobIds">The jobs the worker already holds (running, buffered or awaiting their result).</param>
    /// <param name="maxAttempts">The job type's attempt limit.</param>
    /// <param name="backoff">The job type's retry delay.</param>
    /// <param name="unreadable">Told the id, attempt and read error of each row that could not be read.</param>
    /// <param name="cancellationToken">Cancels the statements.</param>
    /// <returns>The readable jobs, now owned by the caller.</returns>
    internal static async Task<IReadOnlyList<TJob>> SalvageFetchedJobsAsync<TJob>(
        this DbContext db,
        Guid workerId,
        IReadOnlyCollection<Guid> heldJobIds,
        int maxAttempts,
        BackoffStrategy backoff,
        Action<Guid, int, Exception>? unreadable = null,
        CancellationToken cancellationToken = default)
        where TJob : JobBase
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(heldJobIds);
        ArgumentNullException.ThrowIfNull(backoff);
        var held = heldJobIds as Guid[] ?? [.. heldJobIds];

        // A projection reads only the key and the attempt, never the payload that may be what cannot be read.
        var orphans = await PlanCacheRetry.RunAsync(
            ct => db.Set<TJob>().IgnoreQueryFilters()
                .Where(j => j.Status == JobStatus.Running && j.LockedBy == workerId && !held.Contains(j.Id))
                .Select(j => new { j.Id, j.AttemptsCount })
                .ToListAsync(ct),
            cancellationToken).ConfigureAwait(false);

        var salvaged = new List<TJob>(orphans.Count);
        foreach (var orphan in orphans)
        {
            TJob? job;
            try
            {
                var id = orphan.Id;
                job = await db.Set<TJob>().IgnoreQueryFilters().AsNoTracking()
                    .SingleOrDefaultAsync(j => j.Id == id, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (IsReadError(exception))
            {
                var lastError = JobErrorText.Bound($"EfJobs could not read this row as {typeof(TJob).Name}: {exception}");
                await db.RecordFailedAttemptAsync<TJob>(orphan.Id, orphan.AttemptsCount, workerId, lastError, JobStatus.Failed, maxAttempts, backoff, cancellationToken).ConfigureAwait(false);
                unreadable?.Invoke(orphan.Id, orphan.AttemptsCount, exception);
                continue;
            }

            // Gone (deleted) or no longer this worker's since the first read: nothing to take over.
            if (job is { Status: JobStatus.Running } && job.LockedBy == workerId)
            {
                salvaged.Add(job);
            }
        }

        return salvaged;
    }

    /// <summary>Locks and returns the next due job, or null (IHP's <c>fetchNextJob</c>).</summary>
    public static async Task<TJob?> FetchNextJobAsync<TJob>(this DbContext db, Guid workerId, CancellationToken cancellationToken = default)
        where TJob : JobBase
    {
        var jobs = await db.FetchJobsAsync<TJob>(workerId, 1, cancellationToken).ConfigureAwait(false);
        return jobs.Count == 0 ? null : jobs[0];
    }

    /// <summary>Marks a job's current attempt succeeded and unlocks it (IHP's <c>jobDidSucceed</c>).</summary>
    /// <param name="db">The context.</param>
    /// <param name="job">The job as fetched: its id and attempt identify the run being recorded.</param>
    /// <param name="workerId">The worker that fetched it.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <returns>False when the worker no longer owns that attempt; nothing was written then.</returns>
    public static async Task<bool> JobDidSucceedAsync<TJob>(this DbContext db, TJob job, Guid workerId, CancellationToken cancellationToken = default)
        where TJob : JobBase
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(job);
        var sql = JobQueueSql.SucceedOne(JobTables.Get<TJob>(db));
        var (jobId, attempt) = (job.Id, job.AttemptsCount);
        return await PlanCacheRetry.RunAsync(
            ct => db.Database.ExecuteSqlRawAsync(
                sql,
                [new NpgsqlParameter<Guid>("id", jobId), new NpgsqlParameter<int>("attempt", attempt), new NpgsqlParameter<Guid>("worker_id", workerId)],
                ct),
            cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>Marks a batch of jobs' current attempts succeeded in one statement.</summary>
    /// <param name="db">The context.</param>
    /// <param name="jobs">The jobs as fetched.</param>
    /// <param name="workerId">The worker that fetched them.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <returns>How many of those attempts the worker still owned and were marked.</returns>
    public static Task<int> JobsDidSucceedAsync<TJob>(this DbContext db, IReadOnlyCollection<TJob> jobs, Guid workerId, CancellationToken cancellationToken = default)
        where TJob : JobBase
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(jobs);
        if (jobs.Count == 0)
        {
            return Task.FromResult(0);
        }

        var ids = new Guid[jobs.Count];
        var attempts = new int[jobs.Count];
        var i = 0;
        foreach (var job in jobs)
        {
            ids[i] = job.Id;
            attempts[i++] = job.AttemptsCount;
        }

        var sql = JobQueueSql.SucceedBatch(JobTables.Get<TJob>(db));
        return PlanCacheRetry.RunAsync(
            ct => db.Database.ExecuteSqlRawAsync(
                sql,
                [new NpgsqlParameter<Guid[]>("ids", ids), new NpgsqlParameter<int[]>("attempts", attempts), new NpgsqlParameter<Guid>("worker_id", workerId)],
                ct),
            cancellationToken);
    }

    /// <summary>
    /// Records a failed attempt (IHP's <c>jobDidFail</c>): retry at now + backoff while attempts are left, otherwise
    /// failed; the exception's type, message and stack trace go to last_error.
    /// </summary>
    /// <returns>False when the worker no longer owns the job; nothing was written then.</returns>
    public static Task<bool> JobDidFailAsync<TJob>(this DbContext db, TJob job, Guid workerId, Exception exception, int maxAttempts, BackoffStrategy backoff, CancellationToken cancellationToken = default)
        where TJob : JobBase
    {
        ArgumentNullException.ThrowIfNull(exception);
        return db.RecordFailedAttemptAsync(job, workerId, JobErrorText.From(exception), JobStatus.Failed, maxAttempts, backoff, cancellationToken);
    }

    /// <summary>
    /// Records an attempt that hit its timeout (IHP's <c>jobDidTimeout</c>): retry at now + backoff while attempts are
    /// left, otherwise timed out; last_error is 'Timeout reached'.
    /// </summary>
    /// <returns>False when the worker no longer owns the job; nothing was written then.</returns>
    public static Task<bool> JobDidTimeoutAsync<TJob>(this DbContext db, TJob job, Guid workerId, int maxAttempts, BackoffStrategy backoff, CancellationToken cancellationToken = default)
        where TJob : JobBase =>
        db.RecordFailedAttemptAsync(job, workerId, JobErrorText.TimeoutReached, JobStatus.TimedOut, maxAttempts, backoff, cancellationToken);

    /// <summary>Refreshes locked_at of the worker's running jobs in one statement, so stale recovery leaves them alone.</summary>
    /// <returns>How many of them the worker still owned.</returns>
    internal static Task<int> HeartbeatJobsAsync<TJob>(this DbContext db, IReadOnlyCollection<Guid> jobIds, Guid workerId, CancellationToken cancellationToken = default)
        where TJob : JobBase
    {
        ArgumentNullException.ThrowIfNull(jobIds);
        if (jobIds.Count == 0)
        {
            return Task.FromResult(0);
        }

        var ids = jobIds as Guid[] ?? [.. jobIds];
        return PlanCacheRetry.RunAsync(
            ct => Owned<TJob>(db, ids, workerId).ExecuteUpdateAsync(s => s.SetProperty(j => j.LockedAt, j => DateTime.UtcNow), ct),
            cancellationToken);
    }

    /// <summary>
    /// Returns jobs whose worker stopped sending heartbeats for <paramref name="staleJobTimeout"/> to the queue
    /// (IHP's <c>recoverStaleJobs</c>). A job locked for over a day, or one that already used
    /// <paramref name="maxAttempts"/>, is marked failed ('Stale job: worker likely crashed') instead, so a job that
    /// crashes its worker every time does not loop forever; the others go back to retry, due now. A running job
    /// locked over a day in the future (or at 'infinity'), which no heartbeat writes, is failed the same way: another
    /// writer put it there, and it would otherwise stay running forever.
    /// </summary>
    /// <returns>How many jobs were recovered, retried or failed.</returns>
    public static async Task<int> RecoverStaleJobsAsync<TJob>(this DbContext db, TimeSpan staleJobTimeout, int maxAttempts, CancellationToken cancellationToken = default)
        where TJob : JobBase
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(staleJobTimeout, TimeSpan.Zero);
        var ancient = TimeSpan.FromDays(1);
        var failed = await PlanCacheRetry.RunAsync(
            ct => db.Set<TJob>().IgnoreQueryFilters()
                .Where(j => j.Status == JobStatus.Running)
                .Where(j => (j.LockedAt < DateTime.UtcNow - staleJobTimeout && (j.AttemptsCount >= maxAttempts || j.LockedAt < DateTime.UtcNow - ancient))
                    || j.LockedAt > DateTime.UtcNow + ancient)
                .ExecuteUpdateAsync(
                    s => s.SetProperty(j => j.Status, JobStatus.Failed)
                        .SetProperty(j => j.LockedBy, (Guid?)null)
                        .SetProperty(j => j.LockedAt, (DateTime?)null)
                        .SetProperty(j => j.LastError, JobErrorText.StaleCrashed)
                        .SetProperty(j => j.UpdatedAt, j => DateTime.UtcNow),
                    ct),
            cancellationToken).ConfigureAwait(false);
        var retried = await PlanCacheRetry.RunAsync(
            ct => db.Set<TJob>().IgnoreQueryFilters()
                .Where(j => j.Status == JobStatus.Running && j.LockedAt < DateTime.UtcNow - staleJobTimeout)
                .ExecuteUpdateAsync(
                    s => s.SetProperty(j => j.Status, JobStatus.Retry)
                        .SetProperty(j => j.LockedBy, (Guid?)null)
                        .SetProperty(j => j.LockedAt, (DateTime?)null)
                        .SetProperty(j => j.LastError, JobErrorText.StaleRescued)
                        .SetProperty(j => j.RunAt, j => DateTime.UtcNow)
                        .SetProperty(j => j.UpdatedAt, j => DateTime.UtcNow),
                    ct),
            cancellationToken).ConfigureAwait(false);
        return failed + retried;
    }

    /// <summary>
    /// How long until the earliest pending job is due, on the database clock: zero or negative when one is due now,
    /// null when there is none.
    /// </summary>
    internal static async Task<TimeSpan?> TimeUntilNextScheduledJobAsync<TJob>(this DbContext db, CancellationToken cancellationToken = default)
        where TJob : JobBase
    {
        var seconds = await ScalarAsync<double?>(db, JobQueueSql.SecondsUntilNextScheduledJob(JobTables.Get<TJob>(db)), cancellationToken).ConfigureAwait(false);
        return seconds is { } s ? TimeSpan.FromSeconds(s) : null;
    }

    /// <summary>Whether both notification triggers exist and are enabled on the job's table (IHP's <c>notificationTriggersHealthy</c>).</summary>
    public static Task<bool> NotificationTriggersHealthyAsync<TJob>(this DbContext db, CancellationToken cancellationToken = default)
        where TJob : JobBase
    {
        var table = JobTables.Get<TJob>(db);
        return ScalarAsync<bool>(db, NotificationTriggerSql.Healthy(table.Name, table.Schema), cancellationToken);
    }

    /// <summary>
    /// Creates whatever is missing of the job table's notification triggers (IHP's <c>ensureNotificationTriggers</c>).
    /// Needs DDL rights; migrations install the triggers, so call this only to repair a database that lost them.
    /// </summary>
    public static Task InstallNotificationTriggersAsync<TJob>(this DbContext db, CancellationToken cancellationToken = default)
        where TJob : JobBase
    {
        var table = JobTables.Get<TJob>(db);
        return db.Database.ExecuteSqlRawAsync(NotificationTriggerSql.Create(table.Name, table.Schema), cancellationToken);
    }

    private static Task<bool> RecordFailedAttemptAsync<TJob>(this DbContext db, TJob job, Guid workerId, string lastError, JobStatus finalStatus, int maxAttempts, BackoffStrategy backoff, CancellationToken cancellationToken)
        where TJob : JobBase
    {
        ArgumentNullException.ThrowIfNull(job);
        return db.RecordFailedAttemptAsync<TJob>(job.Id, job.AttemptsCount, workerId, lastError, finalStatus, maxAttempts, backoff, cancellationToken);
    }

    internal static Task<bool> RecordFailedAttemptAsync<TJob>(this DbContext db, Guid jobId, int attempt, Guid workerId, string lastError, JobStatus finalStatus, int maxAttempts, BackoffStrategy backoff, CancellationToken cancellationToken)
        where TJob : JobBase
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(backoff);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);

        // IHP's rule: attempts_count was incremented by the fetch, so it counts runs including this one.
        var retry = attempt < maxAttempts;
        // A strategy may return any TimeSpan; PostgreSQL's timestamp ends in 294276 AD, so a retry is at most ten years out.
        var delay = TimeSpan.FromTicks(Math.Clamp(backoff.Delay(attempt).Ticks, 0, MaxRetryDelay.Ticks));
        return PlanCacheRetry.RunAsync(
            async ct => await Owned<TJob>(db, jobId, attempt, workerId).ExecuteUpdateAsync(
                s =>
                {
                    s.SetProperty(j => j.Status, retry ? JobStatus.Retry : finalStatus)
                        .SetProperty(j => j.LockedBy, (Guid?)null)
                        .SetProperty(j => j.LockedAt, (DateTime?)null)
                        .SetProperty(j => j.LastError, lastError)
                        .SetProperty(j => j.UpdatedAt, j => DateTime.UtcNow);
                    if (retry)
                    {
                        s.SetProperty(j => j.RunAt, j => DateTime.UtcNow + delay);
                    }
                },
                ct).ConfigureAwait(false) == 1,
            cancellationToken);
    }

    /// <summary>
    /// Gives back every running job locked to <paramref name="workerId"/> at a graceful stop, as if its last fetch had
    /// not happened: unlocked, attempt not counted, status not started (first attempt) or retry. Jobs in
    /// <paramref name="interruptedIds"/> were started and get <paramref name="reason"/> in last_error; the others (a
    /// prefetch buffer, rows of a fetch that could not be read) keep theirs. run_at is unchanged, so they keep their
    /// place in the queue.
    /// </summary>
    internal static Task<int> GiveBackJobsAsync<TJob>(this DbContext db, Guid workerId, IReadOnlyCollection<Guid> interruptedIds, string reason, CancellationToken cancellationToken)
        where TJob : JobBase
    {
        var interrupted = interruptedIds as Guid[] ?? [.. interruptedIds];
        var lastError = JobErrorText.Bound(reason);
        return PlanCacheRetry.RunAsync(
            ct => db.Set<TJob>().IgnoreQueryFilters()
                .Where(j => j.Status == JobStatus.Running && j.LockedBy == workerId)
                .ExecuteUpdateAsync(
                    s => s.SetProperty(j => j.Status, j => j.AttemptsCount <= 1 ? JobStatus.NotStarted : JobStatus.Retry)
                        .SetProperty(j => j.AttemptsCount, j => j.AttemptsCount > 0 ? j.AttemptsCount - 1 : 0)
                        .SetProperty(j => j.LockedBy, (Guid?)null)
                        .SetProperty(j => j.LockedAt, (DateTime?)null)
                        .SetProperty(j => j.LastError, j => interrupted.Contains(j.Id) ? lastError : j.LastError)
                        .SetProperty(j => j.UpdatedAt, j => DateTime.UtcNow),
                    ct),
            cancellationToken);
    }

    // What reading one row can throw when the row, not the connection, is the problem: EF's and Npgsql's conversion
    // errors. Database and cancellation errors propagate; the rows stay running and stale recovery returns them.
    private static bool IsReadError(Exception exception) =>
        exception is not (System.Data.Common.DbException or OperationCanceledException or TimeoutException);

    private static IQueryable<TJob> Owned<TJob>(DbContext db, Guid[] ids, Guid workerId)
        where TJob : JobBase =>
        db.Set<TJob>().IgnoreQueryFilters()
            .Where(j => ids.Contains(j.Id) && j.Status == JobStatus.Running && j.LockedBy == workerId);

    // The attempt is part of the guard: a job that timed out and was fetched again by this same worker is another run.
    private static IQueryable<TJob> Owned<TJob>(DbContext db, Guid id, int attempt, Guid workerId)
        where TJob : JobBase =>
        db.Set<TJob>().IgnoreQueryFilters()
            .Where(j => j.Id == id && j.AttemptsCount == attempt && j.Status == JobStatus.Running && j.LockedBy == workerId);

    private static async Task<T> ScalarAsync<T>(DbContext db, string sql, CancellationToken cancellationToken)
    {
        var rows = await PlanCacheRetry.RunAsync(ct => db.Database.SqlQueryRaw<T>(sql).ToListAsync(ct), cancellationToken).ConfigureAwait(false);
        return rows[0];
    }
}
