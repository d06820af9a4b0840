using Microsoft.EntityFrameworkCore;

namespace EfJobs.Queue;

/// <summary>
/// Leases the application's DbContext for the runner's statements, so that no runner component depends on the
/// context type.
/// </summary>
internal interface IJobDatabase
{
    /// <summary>The context type, for messages.</summary>
    Type ContextType { get; }

    /// <summary>
    /// Runs <paramref name="work"/> on a leased context whose connection is open for the whole call, so a statement
    /// retried after a stale cached plan (SQLSTATE 0A000) runs again on the connection that dropped that plan, and
    /// several statements share one pool checkout.
    /// </summary>
    Task<T> RunAsync<T>(Func<DbContext, CancellationToken, Task<T>> work, CancellationToken cancellationToken);

    /// <summary>Reads something off a context without opening its connection (the model, the connection string).</summary>
    T WithContext<T>(Func<DbContext, T> read);

    /// <summary>Reloads Npgsql's type list, after <c>job_status</c> was created while the process was running.</summary>
    Task ReloadTypesAsync(CancellationToken cancellationToken);
}
