using Npgsql;

namespace EfJobs.ReliabilityTests.Worker;

/// <summary>The worker's identity, written to every execution row.</summary>
public sealed record WorkerIdentity(Guid WorkerId);

/// <summary>
/// Records every execution in the executions table (its own statement, so it commits whatever happens to the job),
/// then behaves as the payload says, then marks the execution finished.
/// </summary>
public sealed class ReliabilityHandler<TJob>(NpgsqlDataSource dataSource, WorkerIdentity identity, string table) : IJobHandler<TJob>
    where TJob : JobBase, IReliabilityJob
{
    public async Task PerformAsync(TJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job.WorkMs < 0)
        {
            throw new InvalidDataException($"Invariant violated by job {job.Id}: WorkMs must not be negative (was {job.WorkMs}).");
        }

        var execution = Guid.NewGuid();
        await using (var insert = dataSource.CreateCommand(
            "INSERT INTO executions (id, job_table, job_id, attempt, worker_id, mode, started_at, locked_at) VALUES ($1, $2, $3, $4, $5, $6, clock_timestamp(), $7)"))
        {
            insert.Parameters.Add(new() { Value = execution });
            insert.Parameters.Add(new() { Value = table });
            insert.Parameters.Add(new() { Value = job.Id });
            insert.Parameters.Add(new() { Value = job.AttemptsCount });
            insert.Parameters.Add(new() { Value = identity.WorkerId });
            insert.Parameters.Add(new() { Value = job.Mode });
            insert.Parameters.Add(new() { Value = job.LockedAt is { } locked ? DateTime.SpecifyKind(locked, DateTimeKind.Utc) : DBNull.Value });
            await insert.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }

        switch (job.Mode)
        {
            case JobModes.Ok:
                if (job.WorkMs > 0)
                {
                    await Task.Delay(job.WorkMs, cancellationToken).ConfigureAwait(false);
                }

                break;
            case JobModes.Throw:
                throw new InvalidOperationException($"Poison job {job.Id} throws on purpose (attempt {job.AttemptsCount}).");
            case JobModes.Hang:
                // Ignores its token on purpose: a handler stuck in a blocking call.
                Thread.Sleep(job.WorkMs);
                break;
            case JobModes.OkOffline:
                await Task.Delay(job.WorkMs, cancellationToken).ConfigureAwait(false);
                try
                {
                    await using var offline = dataSource.CreateCommand("UPDATE executions SET finished_at = clock_timestamp() WHERE id = $1");
                    offline.Parameters.Add(new() { Value = execution });
                    await offline.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
                }
                catch (NpgsqlException)
                {
                    // The database is away: the job succeeded all the same; finished_at stays NULL, which says so.
                }

                return;
            case JobModes.ThrowLate:
                await Task.Delay(job.WorkMs, cancellationToken).ConfigureAwait(false);
                throw new InvalidOperationException($"Job {job.Id} fails at its end on purpose (attempt {job.AttemptsCount}).");
            case JobModes.FailFast:
                Environment.FailFast($"Job {job.Id} brings its worker down on purpose (attempt {job.AttemptsCount}).");
                break;
            default:
                throw new InvalidDataException($"Invariant violated by job {job.Id}: unknown mode '{job.Mode}'.");
        }

        await using var update = dataSource.CreateCommand("UPDATE executions SET finished_at = clock_timestamp() WHERE id = $1");
        update.Parameters.Add(new() { Value = execution });
        await update.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
    }
}
