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
/// cleared within one pass, a batch at a time.
/// </summary>
internal sealed class JobPruner(IJobDatabase database, IReadOnlyList<(JobTable Table, JobOptions Options)> types, JobRunnerContext runner)
    : ServiceLoop("job pruner", runner.Logger, runner.TimeProvider)
{
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
                do
                {
                    last = await database.RunAsync((db, ct) => RetentionOperations.PruneBatchAsync(db, table, status, cutoff, batch, ct), cancellationToken).ConfigureAwait(false);
                    deleted += last;
                }
                while (last == batch && !cancellationToken.IsCancellationRequested);

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
