using EfJobs.Model;

namespace EfJobs.Queue;

/// <summary>What one sample saw in one job table (<see cref="JobMetricsSql.Sample"/>).</summary>
/// <param name="Table">The job table.</param>
/// <param name="StaleJobTimeout">The type's rescue threshold, or null when stale recovery is off.</param>
/// <param name="Due">Jobs that are due and wait for a worker.</param>
/// <param name="OldestDueAge">How long the oldest of them has been due (database clock); null when none waits.</param>
/// <param name="Stale">Running rows whose lock is older than <paramref name="StaleJobTimeout"/>.</param>
/// <param name="OldestLockAge">The age of the oldest running row's lock; null when none runs.</param>
internal sealed record JobQueueSample(JobTable Table, TimeSpan? StaleJobTimeout, long Due, TimeSpan? OldestDueAge, long Stale, TimeSpan? OldestLockAge);
