using EfJobs.Diagnostics;
using EfJobs.Queue;

namespace EfJobs.Runner;

/// <summary>
/// Refreshes locked_at of every job this worker owns, one statement per type per <see cref="JobOptions.HeartbeatInterval"/>,
/// so that a long, healthy job is never taken for a stale one. Owned means buffered, running or awaiting its result
/// write; a job whose result was written is no longer owned and no longer kept alive.
/// </summary>
internal sealed class JobHeartbeat<TJob>(IJobStore<TJob> store, OwnedJobs<TJob> owned, JobRunnerContext runner, JobOptions options)
    : ServiceLoop("heartbeat " + store.Table.Name, runner.LoggerFor(LogCategories.Heartbeat), runner.TimeProvider)
    where TJob : JobBase
{
    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        var interval = options.EffectiveHeartbeatInterval;
        using var timer = new PeriodicTimer(interval, Time);
        while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
        {
            var ids = owned.Ids();
            if (ids.Length == 0)
            {
                continue;
            }

            try
            {
                await store.HeartbeatAsync(ids, stop).ConfigureAwait(false);
            }
            catch (Exception exception) when (!stop.IsCancellationRequested)
            {
                Log.HeartbeatFailed(Logger, exception, store.Table.Name, ids.Length, interval);
            }
        }
    }
}
