using Npgsql;

namespace EfJobs.Queue;

/// <summary>
/// Runs a statement again, once, when PostgreSQL rejects a prepared plan that a schema change made stale (IHP's
/// <c>runPool</c>).
/// </summary>
/// <remarks>
/// After ALTER TABLE, a statement prepared before it fails with "cached plan must not change result type"
/// (SQLSTATE 0A000) instead of replanning. Npgsql drops the stale statement when it sees the error, so the second
/// run prepares afresh. The error is raised before the statement touches a row, so running it again is safe.
/// </remarks>
internal static class PlanCacheRetry
{
    public const string CachedPlanChangedSqlState = "0A000";

    public static async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> statement, CancellationToken cancellationToken)
    {
        try
        {
            return await statement(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (IsStalePlan(exception))
        {
            return await statement(cancellationToken).ConfigureAwait(false);
        }
    }

    public static bool IsStalePlan(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is PostgresException { SqlState: CachedPlanChangedSqlState })
            {
                return true;
            }
        }

        return false;
    }
}
