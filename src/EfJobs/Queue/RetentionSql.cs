using EfJobs.Model;

namespace EfJobs.Queue;

/// <summary>The SQL of retention: deletes finished jobs once their keep period is over.</summary>
internal static class RetentionSql
{
    /// <summary>
    /// Deletes at most @batch rows of one final state (<paramref name="statusLabel"/>, an IHP label inlined as in the
    /// queue's SQL) that reached it before @cutoff. updated_at is the time a row reached its final state: nothing
    /// writes a finished row afterwards.
    /// </summary>
    /// <remarks>
    /// Bounded and leaderless: every process runs it, SKIP LOCKED makes two pruners take disjoint rows instead of
    /// waiting on each other, and each batch is its own short transaction that locks only the rows it deletes, so no
    /// worker ever waits long behind a prune. Only final states are named, so a pending or running row is never
    /// touched, whatever its age. No recurring guarantee depends on job rows (the tick claim lives on the schedules
    /// table), so a recurring job's rows are pruned like any other.
    /// </remarks>
    public static string PruneBatch(JobTable table, string statusLabel) => $"""
        DELETE FROM {table.QualifiedName}
         WHERE id IN (
           SELECT id FROM {table.QualifiedName}
            WHERE status = '{statusLabel}' AND updated_at < @cutoff
            LIMIT @batch
            FOR UPDATE SKIP LOCKED)
        """;
}
