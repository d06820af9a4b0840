using System.Runtime.CompilerServices;
using EfJobs.Diagnostics;
using EfJobs.Queue;

namespace EfJobs.Runner;

/// <summary>
/// The safety net behind notifications (IHP's <c>pollForJob</c> and <c>watchForJobWithPollerTriggerRepair</c>): every
/// <see cref="JobOptions.PollInterval"/> plus up to 2 s of jitter, the trigger check and a look for the earliest
/// pending job on one connection. A due job wakes the producer; a later one sets the wake timer. An idle type costs
/// those two statements per interval.
/// </summary>
internal sealed class JobPoller<TJob>(IJobStore<TJob> store, WakeTimer timer, Action wake, JobRunnerContext runner, JobOptions options)
    : ServiceLoop("poller " + store.Table.Name, runner.LoggerFor(LogCategories.Poller), runner.TimeProvider)
    where TJob : JobBase
{
    /// <summary>The most jitter added to each poll, so processes started together do not poll together.</summary>
    public static readonly TimeSpan MaxJitter = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan DueNow = TimeSpan.FromMilliseconds(25);
    private volatile StrongBox<bool>? _triggersHealthy;

    /// <summary>What the last poll found: whether the notification triggers are installed; null before the first poll.</summary>
    public bool? TriggersHealthy => _triggersHealthy?.Value;

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        do
        {
            await PollAsync(stop).ConfigureAwait(false);
        }
        while (await DelayAsync(options.PollInterval + TimeSpan.FromMilliseconds(Random.Shared.Next(0, (int)MaxJitter.TotalMilliseconds)), stop).ConfigureAwait(false));
    }

    private async Task PollAsync(CancellationToken stop)
    {
        JobPollResult poll;
        try
        {
            poll = await store.PollAsync(runner.Options.RepairTriggers, stop).ConfigureAwait(false);
        }
        catch (Exception exception) when (!stop.IsCancellationRequested)
        {
            // The database is away or the schema is missing: the fetch says which in its own log line.
            if (DatabaseErrors.Classify(exception) == DatabaseErrorKind.Rejected)
            {
                Log.TriggerCheckFailed(Logger, exception, store.Table.Name);
            }

            wake();
            return;
        }

        if (poll.TriggersRepaired)
        {
            Log.TriggersRepaired(Logger, store.Table.Name);
        }
        else if (!poll.TriggersHealthy && TriggersHealthy != false)
        {
            Log.TriggersMissing(Logger, store.Table.Name, options.PollInterval);
        }
        else if (poll.TriggersHealthy && TriggersHealthy == false)
        {
            Log.TriggersHealthy(Logger, store.Table.Name);
        }

        _triggersHealthy = new StrongBox<bool>(poll.TriggersHealthy);
        if (poll.NextDue is { } due && due <= DueNow)
        {
            wake();
        }
        else
        {
            timer.Set(poll.NextDue, 0);
        }
    }
}
