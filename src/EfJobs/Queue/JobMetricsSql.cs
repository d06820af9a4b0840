using EfJobs.Model;

namespace EfJobs.Queue;

/// <summary>
/// The one statement behind the queue gauges and the queue health checks. It lives apart from
/// <see cref="JobQueueSql"/>, which holds the statements of the job's path (fetch, results, recovery): this one only
/// reads, runs at most once per job type per <see cref="EfJobsOptions.QueueSampleInterval"/>, and nothing on the
/// job's path waits for it.
/// </summary>
internal static class JobMetricsSql
{
    /// <summary>
    /// One row: the due jobs waiting (<c>"Due"</c>), the age in seconds of the oldest of them, counted from the later
    /// of run_at and created_at (<c>"OldestDueAge"</c>, null when none waits), the running rows whose lock is older
    /// than @stale (<c>"Stale"</c>; none when @stale is null) and the age in seconds of the oldest running lock
    /// (<c>"OldestLockAge"</c>). Every age comes from the database clock.
    /// </summary>
    /// <remarks>
    /// Two subqueries, each with the WHERE of one partial index (<see cref="JobIndexFilters"/>), so each is an index
    /// scan over pending or running rows only: finished rows, however many pile up, are never read.
    /// </remarks>
    public static string Sample(JobTable table) => $"""
        SELECT pending.due AS "Due", pending.oldest AS "OldestDueAge", running.stale AS "Stale", running.oldest AS "OldestLockAge"
          FROM (SELECT count(*) AS due, EXTRACT(EPOCH FROM now() - min(GREATEST(run_at, created_at)))::float8 AS oldest
                  FROM {table.QualifiedName}
                 WHERE {JobIndexFilters.Pending} AND run_at <= now()) AS pending,
               (SELECT count(*) FILTER (WHERE locked_at < now() - @stale) AS stale,
                       EXTRACT(EPOCH FROM now() - min(locked_at))::float8 AS oldest
                  FROM {table.QualifiedName}
                 WHERE {JobIndexFilters.Running}) AS running
        """;
}
