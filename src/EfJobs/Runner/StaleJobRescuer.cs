using EfJobs.Diagnostics;
using EfJobs.Queue;

namespace EfJobs.Runner;

/// <summary>
/// Returns the jobs of workers that stopped sending heartbeats for <see cref="JobOptions.StaleJobTimeout"/> (IHP's
/// <c>recoverStaleJobs</c>): at start and every half of the timeout. This covers workers that are connected but
/// silent and workers outside liveness (an IHP worker, a <c>WorkerId</c> set by the application); killed EfJobs
/// workers are found within seconds by <see cref="DeadWorkerRescuer"/>.
/// </summary>
internal sealed class StaleJobRescuer<TJob>(IJobStore<TJob> store, Action wake, JobRunnerContext runner, TimeSpan staleJobTimeout)
    : ServiceLoop("stale-job rescuer " + store.Table.Name, runner.LoggerFor(LogCategories.Rescuer), runner.TimeProvider)
    where TJob : JobBase
{
    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        var period = staleJobTimeout / 2;
        var failures = 0;
        while (!stop.IsCancellationRequested)
        {
            var delay = period;
            try
            {
                var recovered = await store.RescueStaleAsync(staleJobTimeout, stop).ConfigureAwait(false);
                failures = 0;
                if (recovered > 0)
                {
                    Log.StaleJobsRecovered(Logger, store.Table.Name, recovered);
                    wake();
                }
            }
            catch (Exception exception) when (!stop.IsCancellationRequested)
            {
                var retry = RetryPolicy.Write.Delay(failures++);
                delay = retry < period ? retry : period;
                Log.RecoveryFailed(Logger, exception, store.Table.Name, delay);
            }

            if (!await DelayAsync(delay, stop).ConfigureAwait(false))
            {
                return;
            }
        }
    }
}
