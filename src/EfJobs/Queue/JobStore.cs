using EfJobs.Model;
using Microsoft.EntityFrameworkCore;

namespace EfJobs.Queue;

/// <summary>
/// The real <see cref="IJobStore{TJob}"/>: each method leases a context from <see cref="IJobDatabase"/> and runs the
/// matching <see cref="JobQueueOperations"/> statement for this worker. When a statement finds the schema missing
/// (the app started before <c>dotnet ef database update</c>), Npgsql's type list is reloaded before the next one, so
/// <c>job_status</c> created later is known without a restart.
/// </summary>
internal sealed class JobStore<TJob>(IJobDatabase database, JobTable table, Guid workerId, JobOptions options) : IJobStore<TJob>
    where TJob : JobBase
{
    private volatile bool _reloadTypes;

    public JobTable Table { get; } = table;

    public Task<IReadOnlyList<TJob>> FetchAsync(int limit, CancellationToken cancellationToken) =>
        RunAsync((db, ct) => db.FetchJobsAsync<TJob>(workerId, limit, ct), cancellationToken);

    public Task<IReadOnlyList<TJob>> SalvageAsync(IReadOnlyCollection<Guid> held, Action<Guid, int, Exception> unreadable, CancellationToken cancellationToken) =>
        RunAsync((db, ct) => db.SalvageFetchedJobsAsync<TJob>(workerId, held, options.MaxAttempts, options.Backoff, unreadable, ct), cancellationToken);

    public Task<int> SucceedAsync(IReadOnlyCollection<TJob> jobs, CancellationToken cancellationToken) =>
        jobs.Count == 1 && !options.BatchCompletions
            ? RunAsync(async (db, ct) => await db.JobDidSucceedAsync(jobs.First(), workerId, ct).ConfigureAwait(false) ? 1 : 0, cancellationToken)
            : RunAsync((db, ct) => db.JobsDidSucceedAsync(jobs, workerId, ct), cancellationToken);

    public Task<bool> FailAsync(TJob job, string lastError, JobStatus finalStatus, CancellationToken cancellationToken) =>
        RunAsync((db, ct) => db.RecordFailedAttemptAsync<TJob>(job.Id, job.AttemptsCount, workerId, lastError, finalStatus, options.MaxAttempts, options.Backoff, ct), cancellationToken);

    public Task<int> HeartbeatAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken) =>
        RunAsync((db, ct) => db.HeartbeatJobsAsync<TJob>(ids, workerId, ct), cancellationToken);

    public Task<int> GiveBackAsync(IReadOnlyCollection<Guid> interrupted, string reason, CancellationToken cancellationToken) =>
        RunAsync((db, ct) => db.GiveBackJobsAsync<TJob>(workerId, interrupted, reason, ct), cancellationToken);

    public Task<int> RescueStaleAsync(TimeSpan staleJobTimeout, CancellationToken cancellationToken) =>
        RunAsync((db, ct) => db.RecoverStaleJobsAsync<TJob>(staleJobTimeout, options.MaxAttempts, ct), cancellationToken);

    public Task<TimeSpan?> TimeUntilNextDueAsync(CancellationToken cancellationToken) =>
        RunAsync((db, ct) => db.TimeUntilNextScheduledJobAsync<TJob>(ct), cancellationToken);

    public Task<JobPollResult> PollAsync(bool repairTriggers, CancellationToken cancellationToken) =>
        RunAsync(
            async (db, ct) =>
            {
                var healthy = await db.NotificationTriggersHealthyAsync<TJob>(ct).ConfigureAwait(false);
                var repaired = false;
                if (!healthy && repairTriggers)
                {
                    await db.InstallNotificationTriggersAsync<TJob>(ct).ConfigureAwait(false);
                    healthy = repaired = true;
                }

                var next = await db.TimeUntilNextScheduledJobAsync<TJob>(ct).ConfigureAwait(false);
                return new JobPollResult(healthy, repaired, next);
            },
            cancellationToken);

    private async Task<T> RunAsync<T>(Func<DbContext, CancellationToken, Task<T>> statement, CancellationToken cancellationToken)
    {
        if (_reloadTypes)
        {
            await database.ReloadTypesAsync(cancellationToken).ConfigureAwait(false);
            _reloadTypes = false;
        }

        try
        {
            return await database.RunAsync(statement, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (DatabaseErrors.Classify(exception, cancellationToken) == DatabaseErrorKind.SchemaMissing)
        {
            _reloadTypes = true;
            throw;
        }
    }
}
