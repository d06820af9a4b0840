namespace EfJobs;

/// <summary>
/// Performs jobs of one type. The runner resolves a handler from a fresh DI scope for every job, so a handler can
/// take the application's DbContext and other scoped services in its constructor.
/// </summary>
/// <typeparam name="TJob">The job type it performs.</typeparam>
public interface IJobHandler<in TJob>
    where TJob : JobBase
{
    /// <summary>
    /// Performs the job. Return to mark it succeeded; throw to record a failed attempt (retried with backoff until
    /// <see cref="JobOptions.MaxAttempts"/>). The token is cancelled when the job's <see cref="JobOptions.Timeout"/>
    /// passes or the host stops: honour it, because the job is retried either way.
    /// </summary>
    /// <param name="job">The job, as fetched: not tracked by any DbContext.</param>
    /// <param name="cancellationToken">Cancelled at the job's deadline or when the host stops.</param>
    Task PerformAsync(TJob job, CancellationToken cancellationToken);
}
