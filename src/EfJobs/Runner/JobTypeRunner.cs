using EfJobs.Diagnostics;
using EfJobs.Model;
using EfJobs.Queue;

namespace EfJobs.Runner;

/// <summary>
/// Composes the components of one job type and fixes their order: start the writer, heartbeat, rescuer, poller and
/// producer; stop in reverse. <see cref="DrainAsync"/> runs jobs through the same executor, writer, owned set and
/// heartbeat as the hosted runner.
/// </summary>
internal sealed class JobTypeRunner<TJob> : IJobTypeRunner
    where TJob : JobBase
{
    private const string InterruptedByShutdown = "Interrupted: the worker stopped before the job finished; given back without counting the attempt";
    private static readonly TimeSpan FlushGrace = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan GiveBackLimit = TimeSpan.FromSeconds(3);

    private readonly IJobStore<TJob> _store;
    private readonly OwnedJobs<TJob> _owned = new();
    private readonly JobExecutor<TJob> _executor;
    private readonly JobResultWriter<TJob> _writer;
    private readonly WakeTimer _timer;
    private readonly JobProducer<TJob> _producer;
    private readonly JobPoller<TJob> _poller;
    private readonly JobHeartbeat<TJob> _heartbeat;
    private readonly StaleJobRescuer<TJob>? _rescuer;
    private readonly JobRunnerContext _runner;

    public JobTypeRunner(IServiceProvider services, IJobStore<TJob> store, JobRunnerContext runner, JobOptions options, LivenessState liveness)
    {
        _store = store;
        _runner = runner;
        Options = options;

        // As many unrecorded successes as the worker may hold locked anyway: the re-runs after a kill stay bounded.
        var maxBacklog = Math.Max(options.MaxFetchBatchSize, options.MaxConcurrency + options.MaxPrefetch);
        _executor = new JobExecutor<TJob>(services, runner, store.Table, options);
        _writer = new JobResultWriter<TJob>(store, _owned, runner, options, maxBacklog);
        _timer = new WakeTimer(Signal, runner.TimeProvider, options.PollInterval);
        _producer = new JobProducer<TJob>(store, _owned, _executor, _writer, _timer, liveness, runner, options);
        _poller = new JobPoller<TJob>(store, _timer, Signal, runner, options);
        _heartbeat = new JobHeartbeat<TJob>(store, _owned, runner, options);
        _rescuer = options.StaleJobTimeout is { } stale ? new StaleJobRescuer<TJob>(store, Signal, runner, stale) : null;
    }

    public JobTable Table => _store.Table;

    public JobOptions Options { get; }

    public void Signal() => _producer.Signal();

    public bool? TriggersHealthy => _poller.TriggersHealthy;

    public IEnumerable<string> StoppedLoops()
    {
        ServiceLoop?[] loops = [_producer, _poller, _heartbeat, _rescuer];
        return loops.Where(l => l is { IsRunning: false }).Select(l => l!.Name);
    }

    public void Start()
    {
        _writer.Start();
        _heartbeat.Start();
        _rescuer?.Start();
        _poller.Start();
        _producer.Start();
    }

    public async Task StopAsync(CancellationToken shutdownTimeout)
    {
        // 1. No new work: the producer stops fetching and starting; buffered jobs stay unstarted.
        _timer.Dispose();
        await _producer.StopAsync().ConfigureAwait(false);
        await _poller.StopAsync().ConfigureAwait(false);
        if (_rescuer is not null)
        {
            await _rescuer.StopAsync().ConfigureAwait(false);
        }

        // 2. Running jobs get until the host's shutdown timeout; then their tokens are cancelled, and the stop goes on
        // at once: a handler that ignores its token keeps running, but its row is given back below and its late result
        // is discarded by the guards.
        try
        {
            await _producer.WhenRunningJobsEndAsync(shutdownTimeout).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Log.ShutdownTimeoutReached(_runner.Logger, _runner.WorkerId, Table.Name, _producer.RunningCount);
            _executor.Interrupt();
        }

        // 3. Write the results still queued, for at most a moment past the deadline.
        var flush = _writer.FlushAsync();
        try
        {
            await flush.WaitAsync(shutdownTimeout).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try
            {
                await flush.WaitAsync(FlushGrace, _runner.TimeProvider).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                _writer.Abandon();
            }
        }

        // 4. Give back whatever is still locked to this worker: interrupted and buffered jobs, results not written.
        await GiveBackAsync().ConfigureAwait(false);
        await _heartbeat.StopAsync().ConfigureAwait(false);
    }

    public async Task<int> DrainAsync(CancellationToken cancellationToken)
    {
        _writer.Start();
        _heartbeat.Start();
        var total = 0;
        while (true)
        {
            var jobs = await _store.FetchAsync(Options.MaxConcurrency, cancellationToken).ConfigureAwait(false);
            if (jobs.Count == 0)
            {
                return total;
            }

            total += jobs.Count;
            foreach (var job in jobs)
            {
                _owned.Add(job);
            }

            var outcomes = await Task.WhenAll(jobs.Select(job => _executor.ExecuteAsync(job))).ConfigureAwait(false);
            var succeeded = new List<TJob>(jobs.Count);
            for (var i = 0; i < jobs.Count; i++)
            {
                if (outcomes[i].Kind == JobOutcomeKind.Succeeded)
                {
                    succeeded.Add(jobs[i]);
                }
                else
                {
                    await _writer.WriteAsync(jobs[i], outcomes[i]).ConfigureAwait(false);
                }
            }

            if (succeeded.Count > 0)
            {
                await _writer.WriteSuccessesAsync(succeeded).ConfigureAwait(false);
            }
        }
    }

    private async Task GiveBackAsync()
    {
        var buffered = _producer.BufferedIds;
        var interrupted = _owned.Ids().Except(buffered).ToArray();
        try
        {
            using var limit = new CancellationTokenSource(GiveBackLimit, _runner.TimeProvider);
            var given = await _store.GiveBackAsync(interrupted, InterruptedByShutdown, limit.Token).ConfigureAwait(false);
            if (given > 0)
            {
                Log.JobsReleased(_runner.Logger, _runner.WorkerId, Table.Name, given);
            }
        }
        catch (Exception exception)
        {
            // The database is away: the rows stay running, and once this process has exited its liveness lock is gone
            // and any other worker returns them within seconds.
            Log.ReleaseFailed(_runner.Logger, exception, _runner.WorkerId, Table.Name);
        }
    }
}
