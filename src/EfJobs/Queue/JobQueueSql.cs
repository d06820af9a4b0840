using EfJobs.Configuration;
using EfJobs.Model;

namespace EfJobs.Queue;

/// <summary>
/// The queue's hand-written SQL, in one place. Statements that EF expresses well (the result updates, heartbeats and
/// stale recovery) are LINQ <c>ExecuteUpdate</c> calls in <see cref="JobQueueOperations"/>; this file holds what LINQ
/// cannot say: the locking fetch.
/// </summary>
internal static class JobQueueSql
{
    /// <summary>
    /// Which rows a worker may take (IHP's <c>pendingJobConditionSQL</c>): not started or waiting for a retry, held by
    /// no worker, and due. The status labels are inlined literals that PostgreSQL casts to job_status.
    /// </summary>
    public const string PendingCondition =
        "(status = 'job_status_not_started' OR status = 'job_status_retry') AND locked_by IS NULL AND run_at <= now()";

    /// <summary>The filter of the partial index over pending rows (<see cref="JobIndexFilters.Pending"/>).</summary>
    public const string PendingIndexFilter = JobIndexFilters.Pending;

    /// <summary>The highest attempts_count the fetch counts up from: one more would overflow the integer column.</summary>
    public const int MaxCountableAttempts = int.MaxValue - 1;

    /// <summary>
    /// Locks up to @limit due jobs and marks them running for @worker_id, in one auto-committed statement (IHP's
    /// <c>fetchNextJob</c> when @limit is 1). Returns one row per job taken: its id and attempt, with
    /// <c>"Corrupt"</c> false; and one row with <c>"Corrupt"</c> true per job it failed instead (see below).
    /// </summary>
    /// <remarks>
    /// The picked rows are updated by their ctid (they are locked, so it cannot change under the statement): a join
    /// back on id left the plan to the statistics, and with them, on a table of some ten thousand rows, the planner
    /// chose a scan of the whole table per fetch (12.8 ms against 2 ms for a batch of 100).
    /// SKIP LOCKED lets concurrent workers take disjoint rows without waiting on each other. Rows go in order of
    /// run_at, then created_at: the pending index serves that order directly, so rows scheduled for later are never
    /// scanned (IHP orders by created_at alone, which with no index means a scan of every row). For jobs enqueued to
    /// run now the two orders agree.
    /// It returns ids, not rows: EF cannot compose over a data-modifying statement, so a job type with owned types,
    /// JSON columns or auto-included navigations could not be read from <c>RETURNING *</c>. The caller loads the
    /// entities with an ordinary EF query (one more round trip per batch, not per job). A job type without any of those
    /// is read from <see cref="FetchRows"/> instead, in this one statement.
    /// Another writer (IHP, plain SQL, a hand edit) may leave an attempts_count no fetch can count up from
    /// (2147483647, or negative): such a row would make every fetch fail with 22003 and block its table. The fetch
    /// never adds past <see cref="MaxCountableAttempts"/> and marks such a row failed, with a last_error that says why
    /// and how to run it again, while its neighbours are taken as usual.
    /// </remarks>
    public static string Fetch(JobTable table) => FetchStatement(table, "j.id, j.attempts_count", "j.id", """
        SELECT id AS "Id", attempts_count AS "AttemptsCount", false AS "Corrupt" FROM taken
        UNION ALL
        SELECT id, 0, true FROM corrupt
        """);

    // The locking statement of Fetch and FetchRows: what the taken and the failed rows return, and the final SELECT.
    private static string FetchStatement(JobTable table, string returning, string corruptReturning, string select) => $"""
        WITH picked AS (
          SELECT ctid AS row_id, attempts_count FROM {table.QualifiedName}
           WHERE {PendingCondition}
           ORDER BY run_at, created_at
           LIMIT @limit
           FOR UPDATE SKIP LOCKED
        ), corrupt AS (
          UPDATE {table.QualifiedName} AS j SET
            status = 'job_status_failed',
            locked_by = NULL,
            locked_at = NULL,
            last_error = 'EfJobs failed this job without running it: attempts_count is ' || j.attempts_count
              || ', outside 0..{MaxCountableAttempts} (written by another writer?). Set attempts_count = 0 and status = ''job_status_retry'' to run it again.',
            updated_at = now()
          WHERE j.ctid = ANY (ARRAY(SELECT row_id FROM picked WHERE attempts_count NOT BETWEEN 0 AND {MaxCountableAttempts}))
          RETURNING {corruptReturning}
        ), taken AS (
          UPDATE {table.QualifiedName} AS j SET
            status = 'job_status_running',
            locked_at = now(),
            locked_by = @worker_id,
            attempts_count = j.attempts_count + 1,
            updated_at = now()
          WHERE j.ctid = ANY (ARRAY(SELECT row_id FROM picked WHERE attempts_count BETWEEN 0 AND {MaxCountableAttempts}))
          RETURNING {returning}
        )
        {select}
        """;

    /// <summary>
    /// <see cref="Fetch"/> returning whole rows, in fetch order, for a job type whose entity is exactly the table's
    /// columns (<see cref="JobTable.IsFlat"/>): one round trip per batch instead of two, which in IHP mode (one job per
    /// fetch) is one statement per job instead of two. The rows it failed for their attempts_count come back too, with
    /// status failed and no lock, so the caller can tell them apart and fetch again for the places they took.
    /// </summary>
    public static string FetchRows(JobTable table) => FetchStatement(table, "j.*", "j.*", """
        SELECT * FROM taken
        UNION ALL
        SELECT * FROM corrupt
        ORDER BY run_at, created_at
        """);

    /// <summary>
    /// Seconds until the earliest pending job is due, so the runner can wake exactly then instead of a poll interval
    /// later: zero or less when one is due already (it fell due, or its retry backoff ended, after the fetch that came
    /// back short, and no notification will announce it). Measured on the database clock, so a skewed application
    /// clock cannot make it early or late. Served by the pending index.
    /// </summary>
    /// <remarks>
    /// Clamped to one day either way, in epoch seconds rather than timestamp arithmetic: a run_at of 'infinity' or
    /// '-infinity' (written by another writer) must not make the statement fail, nor give the runner a wait it cannot
    /// set a timer for.
    /// </remarks>
    public static string SecondsUntilNextScheduledJob(JobTable table) => $"""
        SELECT CASE WHEN min(run_at) IS NOT NULL
                    THEN GREATEST(-86400, LEAST(86400, extract(epoch FROM min(run_at)) - extract(epoch FROM now())))::float8
               END AS "Value"
          FROM {table.QualifiedName}
         WHERE {PendingIndexFilter}
        """;

    /// <summary>
    /// Marks a batch of attempts succeeded in one statement: @ids and @attempts are parallel arrays.
    /// </summary>
    /// <remarks>
    /// Guarded by status, worker and attempt: a job that timed out, was rescued, or was fetched again (even by this
    /// same process) is a different attempt, and a late result must not land on it.
    /// The shape fixes the plan whatever the statistics say: each id is looked up on its own through the primary key
    /// (the only index an <c>id = outer value</c> lookup can use), and the rows found are updated by their ctid. The plain
    /// join of the table with <c>unnest</c> left the choice to the planner, and on a table with no statistics yet (an
    /// application's fresh table, before autovacuum's first ANALYZE) it chose a scan of the running-rows index, which
    /// also returns the dead entries of every row that was ever running, with the unnest rescanned per row: 12.5 ms a
    /// batch of 384 in an independent run, against about 1 ms. A row updated concurrently between the lookup and the
    /// update (rescued, cancelled) has a new ctid, fails the recheck and is left alone, as the guard wants; so the outer
    /// WHERE does not repeat the status test, which would let the planner pick the running-rows index over the ctids.
    /// </remarks>
    public static string SucceedBatch(JobTable table) => $"""
        UPDATE {table.QualifiedName} AS j SET
          status = 'job_status_succeeded',
          locked_by = NULL,
          locked_at = NULL,
          updated_at = now()
        WHERE j.ctid = ANY (ARRAY(
            SELECT mine.ctid
              FROM unnest(@ids, @attempts) AS done(id, attempts_count)
              CROSS JOIN LATERAL (
                SELECT ctid FROM {table.QualifiedName}
                 WHERE id = done.id AND attempts_count = done.attempts_count
                   AND locked_by = @worker_id AND status = 'job_status_running'
                 LIMIT 1) AS mine))
          AND j.locked_by = @worker_id
        """;

    /// <summary>
    /// Marks one attempt succeeded: <see cref="SucceedBatch"/> for a single job (IHP's <c>jobDidSucceed</c>). Plain SQL
    /// rather than a LINQ ExecuteUpdate, because in IHP mode it runs once per job and EF's expression handling cost
    /// more than the statement (about 40 KB allocated per call).
    /// </summary>
    public static string SucceedOne(JobTable table) => $"""
        UPDATE {table.QualifiedName} SET
          status = 'job_status_succeeded',
          locked_by = NULL,
          locked_at = NULL,
          updated_at = now()
        WHERE id = @id AND attempts_count = @attempt AND locked_by = @worker_id AND status = 'job_status_running'
        """;


    // The advisory locks of live EfJobs workers in this database (WorkerLiveness). MATERIALIZED: pg_locks is read once
    // per statement, not once per row.
    private static readonly string LiveWorkerLocks = $"""
        live AS MATERIALIZED (
          SELECT objid FROM pg_locks
           WHERE locktype = 'advisory' AND classid = {WorkerLiveness.LockClass} AND objsubid = 2 AND granted
             AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))
        """;

    // True for a row locked by an EfJobs worker id whose liveness lock is gone.
    private const string LockedByDeadWorker =
        $"locked_by::text LIKE '{WorkerLiveness.Prefix}-%' " +
        "AND ('x' || right(locked_by::text, 7))::bit(28)::int::oid NOT IN (SELECT objid FROM live)";

    /// <summary>
    /// The EfJobs workers that hold running rows in any of <paramref name="tables"/> but whose session (and with it
    /// their liveness lock) is gone: one read for every job table of the process. Served by the running-rows index.
    /// Empty in the first 10 s after the server started: a restart ends every session, and live workers need a moment
    /// to reconnect and take their locks again.
    /// </summary>
    public static string DeadWorkers(IReadOnlyList<JobTable> tables) => $"""
        WITH {LiveWorkerLocks}
        SELECT DISTINCT locked_by FROM (
        {string.Join("\n  UNION ALL\n", tables.Select(t => $"  SELECT locked_by FROM {t.QualifiedName} WHERE status = 'job_status_running' AND {LockedByDeadWorker}"))}
        ) AS running
        WHERE pg_postmaster_start_time() < now() - interval '10 seconds'
        """;

    /// <summary>
    /// Returns the running rows of the dead workers in @dead to the queue, in one statement for every table: a retry
    /// due now, or failed when the attempt was the last (@max_attempts_N), as stale recovery does. A worker whose lock
    /// came back since it was found dead keeps its rows. The crash counts as an attempt.
    /// </summary>
    /// <remarks>
    /// Every live worker runs this check, so two may find the same dead worker at once. The rows are locked first with
    /// SKIP LOCKED, so the second skips what the first is returning instead of waiting on it (or deadlocking with it:
    /// two UPDATEs of one statement take their row locks in no set order).
    /// </remarks>
    public static string RescueDeadWorkers(IReadOnlyList<JobTable> tables)
    {
        var ctes = new List<string> { LiveWorkerLocks };
        for (var i = 0; i < tables.Count; i++)
        {
            ctes.Add($"""
                dead_{i} AS (SELECT id, attempts_count >= @max_attempts_{i} AS last FROM {tables[i].QualifiedName}
                  WHERE status = 'job_status_running' AND locked_by = ANY(@dead) AND {LockedByDeadWorker}
                  FOR UPDATE SKIP LOCKED)
                """);
            ctes.Add($"""
                failed_{i} AS (UPDATE {tables[i].QualifiedName} AS j SET status = 'job_status_failed', locked_by = NULL, locked_at = NULL,
                    last_error = @error, updated_at = now()
                  FROM dead_{i} WHERE j.id = dead_{i}.id AND dead_{i}.last RETURNING 1)
                """);
            ctes.Add($"""
                retried_{i} AS (UPDATE {tables[i].QualifiedName} AS j SET status = 'job_status_retry', locked_by = NULL, locked_at = NULL,
                    last_error = @error, run_at = now(), updated_at = now()
                  FROM dead_{i} WHERE j.id = dead_{i}.id AND NOT dead_{i}.last RETURNING 1)
                """);
        }

        var counts = Enumerable.Range(0, tables.Count).Select(i => $"(SELECT count(*) FROM failed_{i}) + (SELECT count(*) FROM retried_{i})");
        return $"WITH {string.Join(",\n", ctes)}\nSELECT ({string.Join(" + ", counts)})::int AS \"Value\"";
    }
}

