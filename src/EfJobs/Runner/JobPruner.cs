using EfJobs.Diagnostics;
using EfJobs.Model;
using EfJobs.Queue;

namespace EfJobs.Runner;

/// <summary>
/// Retention: deletes finished jobs of the registered types once their keep period
/// (<see cref="JobOptions.SucceededRetention"/>, <see cref="JobOptions.FailedRetention"/>,
/// <see cref="JobOptions.TimedOutRetention"/>) is over, every <see cref="EfJobsOptions.PruneInterval"/>. Every process
/// runs one, with no leader: each batch of at most <see cref="EfJobsOptions.PruneBatchSize"/> rows is its own short
/// statement that skips rows another pruner holds. A pass goes on while batches come back full, so a backlog is
/// cleared within one pass, a batch at a time, pausing after each full batch nine times as long as it took, so that
/// clearing a backlog never takes more than a tenth of one connection's time from the queue.
/// </summary>
internal sealed class JobPruner(IJobDatabase database, IReadOnlyList<(JobTable Table, JobOptions Options)> types, JobRunnerContext runner)
    : ServiceLoop("job pruner", runner.Logger, runner.TimeProvider)
{
    // While a backlog is deleted, the pause after each full batch, as a multiple of the batch's own time.
    private const int BacklogPauseFactor = 9;

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        var interval = runner.Options.PruneInterval;

        // Processes started together would prune in lock-step: start each at a random point of the first interval.
        if (!await DelayAsync(interval * Random.Shared.NextDouble(), stop).ConfigureAwait(false))
        {
            return;
        }

        var failures = 0;
        while (!stop.IsCancellationRequested)
        {
            var delay = interval;
            try
            {
                await PruneAsync(stop).ConfigureAwait(false);
                failures = 0;
            }
            catch (Exception exception) when (!stop.IsCancellationRequested)
            {
                var retry = RetryPolicy.Write.Delay(failures++);
                delay = retry < interval ? retry : interval;
                Log.PruneFailed(Logger, exception, delay);
            }

            if (!await DelayAsync(delay, stop).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>One pass over every registered type and final state; returns the rows deleted.</summary>
    internal async Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        var now = Time.GetUtcNow();
        var batch = runner.Options.PruneBatchSize;
        var total = 0;
        foreach (var (table, options) in types)
        {
            foreach (var (status, keep) in Rules(options))
            {
                var cutoff = now - keep;
                var deleted = 0;
                int last;
                while (true)
                {
                    var started = Time.GetTimestamp();
                    last = await database.RunAsync((db, ct) => RetentionOperations.PruneBatchAsync(db, table, status, cutoff, batch, ct), cancellationToken).ConfigureAwait(false);
                    deleted += last;
                    if (last < batch || cancellationToken.IsCancellationRequested)
                    {
                        break;
                    }

                    // A backlog is cleared at a tenth of one connection's time: a pause nine times as long as the batch
                    // before the next. Unthrottled, deleting 1,000,000 rows during a drain of 100,000 jobs cut the
                    // drain to a third (bench prune); steady state, one short batch a pass, never waits.
                    if (!await DelayAsync(Time.GetElapsedTime(started) * BacklogPauseFactor, cancellationToken).ConfigureAwait(false))
                    {
                        break;
                    }
                }

                if (deleted > 0)
                {
                    Log.JobsPruned(Logger, deleted, table.Name, JobStatusLabels.ToLabel(status), keep);
                }

                total += deleted;
            }
        }

        return total;
    }

    private static IEnumerable<(JobStatus Status, TimeSpan Keep)> Rules(JobOptions options)
    {
        if (options.SucceededRetention is { } succeeded)
        {
            yield return (JobStatus.Succeeded, succeeded);
        }

        if (options.FailedRetention is { } failed)
        {
            yield return (JobStatus.Failed, failed);
        }

        if (options.TimedOutRetention is { } timedOut)
        {
            yield return (JobStatus.TimedOut, timedOut);
        }
    }
}
