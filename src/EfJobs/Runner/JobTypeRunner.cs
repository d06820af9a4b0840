using System.Collections.Concurrent;
using System.Diagnostics;
using EfJobs.Diagnostics;
using EfJobs.Model;
using EfJobs.Queue;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EfJobs.Runner;

/// <summary>
/// Runs the jobs of one type in this process: the dispatcher (fetch as many as there are free slots), the executor
/// (handler from a fresh scope, under the timeout), the poller, the timer for the next scheduled job, the heartbeat
/// and the rescuer of stale jobs. The notifier and the poller only signal it.
/// </summary>
internal sealed class JobTypeRunner<TContext, TJob> : IJobTypeRunner
    where TContext : DbContext
    where TJob : JobBase
{
    private const string InterruptedByShutdown = "Interrupted: the worker stopped before the job finished; released for another attempt";
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan CompletionFlushLimit = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MinimumWakeDelay = TimeSpan.FromMilliseconds(25);

    // The most fetches one dispatcher has in flight: enough to keep 16 single-job fetches (IHP mode) or a refill of
    // a large prefetch buffer going, without taking a large share of the connection pool.
    private const int MaxParallelFetches = 16;

    private readonly IServiceProvider _services;
    private readonly JobRunnerContext _runner;
    private readonly JobOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly WakeSignal _wake = new();
    private readonly WakeSignal _slotFreed = new();
    private readonly ConcurrentDictionary<Guid, TJob> _owned = new();
    private readonly ConcurrentDictionary<Task, byte> _executing = new();
    private readonly Queue<TJob> _buffer = new();
    private readonly object _bufferGate = new();
    private readonly CancellationTokenSource _stopFetching = new();
    private readonly CancellationTokenSource _cancelJobs = new();
    private readonly CancellationTokenSource _stopHousekeeping = new();
    private readonly JobCompleter<TContext, TJob>? _completer;
    private readonly List<Task> _loops = [];
    private readonly int _refillThreshold;
    private ITimer? _scheduledTimer;
    private int _running;
    private int _emptyWakes;
    private bool? _triggersHealthy;

    public JobTypeRunner(IServiceProvider services, JobRunnerContext runner, JobOptions options)
    {
        _services = services;
        _runner = runner;
        _options = options;
        _logger = runner.Logger;
        _time = runner.TimeProvider;
        using (var scope = services.CreateScope())
        {
            Table = JobTables.Get(scope.ServiceProvider.GetRequiredService<TContext>(), typeof(TJob));
        }

        _refillThreshold = options.PrefetchCount == 0 ? 1 : Math.Max(1, Math.Min(options.MaxFetchBatchSize, options.PrefetchCount) / 2);
        if (options.BatchCompletions)
        {
            // As many unrecorded successes as the worker may hold locked anyway: the re-runs after a kill stay bounded.
            var maxBacklog = Math.Max(options.MaxFetchBatchSize, options.MaxConcurrency + options.PrefetchCount);
            _completer = new JobCompleter<TContext, TJob>(services, runner, Table, _owned, maxBacklog);
        }
    }

    public Type JobType => typeof(TJob);

    public JobTable Table { get; }

    private string TableName => Table.Name;

    public void Signal() => _wake.Set();

    public void Start()
    {
        var stop = _stopFetching.Token;
        _loops.Add(Task.Run(() => DispatchLoopAsync(stop), CancellationToken.None));
        _loops.Add(Task.Run(() => PollLoopAsync(stop), CancellationToken.None));
        if (_options.StaleJobTimeout is { } staleTimeout)
        {
            _loops.Add(Task.Run(() => RescueLoopAsync(staleTimeout, stop), CancellationToken.None));
        }

        _loops.Add(Task.Run(() => HeartbeatLoopAsync(_stopHousekeeping.Token), CancellationToken.None));
        if (_completer is not null)
        {
            _loops.Add(Task.Run(() => _completer.RunAsync(_stopHousekeeping.Token), CancellationToken.None));
        }
    }

    public async Task StopAsync(CancellationToken shutdownTimeout)
    {
        // 1. No new work: the dispatcher, poller, timer and rescuer end.
        await _stopFetching.CancelAsync().ConfigureAwait(false);
        _scheduledTimer?.Dispose();

        // 2. Let running jobs finish until the host's shutdown timeout; then cancel their tokens.
        var executing = _executing.Keys.ToArray();
        try
        {
            await Task.WhenAll(executing).WaitAsync(shutdownTimeout).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Log.ShutdownTimeoutReached(_logger, _runner.WorkerId, TableName, _executing.Count);
            await _cancelJobs.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(_executing.Keys.ToArray()).WaitAsync(ShutdownGrace, _time).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Handlers that ignore their token keep running; their rows are released below all the same.
            }
        }

        // 3. Write the successes still queued, then hand whatever this worker still owns back to the queue.
        if (_completer is not null)
        {
            try
            {
                await _completer.CompleteAsync().WaitAsync(CompletionFlushLimit, _time).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The database is away: the rows stay running and stale recovery returns them.
            }
        }

        await ReleaseOwnedAsync().ConfigureAwait(false);
        await _stopHousekeeping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_loops).ConfigureAwait(false);
    }

    public async Task<int> DrainAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            var jobs = await FetchAsync(_options.MaxConcurrency, cancellationToken).ConfigureAwait(false);
            if (jobs.Count == 0)
            {
                return total;
            }

            total += jobs.Count;
            var succeeded = new ConcurrentBag<TJob>();
            await Task.WhenAll(jobs.Select(job => Task.Run(() => ExecuteAsync(job, j => { succeeded.Add(j); return Task.CompletedTask; }), CancellationToken.None))).ConfigureAwait(false);
            if (!succeeded.IsEmpty)
            {
                await using var lease = await ContextLease<TContext>.CreateAsync(_services, cancellationToken).ConfigureAwait(false);
                var written = await lease.Context.JobsDidSucceedAsync(succeeded.ToArray(), _runner.WorkerId, cancellationToken).ConfigureAwait(false);
                foreach (var job in succeeded)
                {
                    _owned.TryRemove(job.Id, out _);
                }

                if (written < succeeded.Count)
                {
                    Log.CompletionsDiscarded(_logger, TableName, succeeded.Count - written);
                }
            }
        }
    }

    private async Task DispatchLoopAsync(CancellationToken stop)
    {
        var failures = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await _wake.WaitAsync(stop).ConfigureAwait(false);
                while (!stop.IsCancellationRequested)
                {
                    // Room for running plus buffered jobs. Without a prefetch buffer any free slot is worth a fetch;
                    // with one, the buffer is refilled once it is about half empty, so fetches stay large.
                    var room = _options.MaxConcurrency + _options.PrefetchCount - Volatile.Read(ref _running) - BufferedCount;
                    if (room <= 0 || room < _refillThreshold)
                    {
                        await _slotFreed.WaitAsync(stop).ConfigureAwait(false);
                        continue;
                    }

                    var (limit, fetched) = await FetchRoomAsync(room, stop).ConfigureAwait(false);
                    failures = 0;
                    if (fetched > 0)
                    {
                        _emptyWakes = 0;
                    }

                    if (fetched < limit)
                    {
                        // Nothing more is due: wake again at the next scheduled job, or on a notification or poll.
                        await ScheduleNextWakeAsync(stop).ConfigureAwait(false);
                        break;
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is not System.Data.Common.DbException && !stop.IsCancellationRequested)
            {
                // The database answered, so the fetch committed, but a row could not be read: the batch is locked to
                // this worker and unread. Taking it over row by row keeps the dispatcher going at full speed.
                Log.FetchUnreadable(_logger, exception, TableName);
                // Nothing to take over means the failure was not a fetched row: back off as for any other failure.
                if (await SalvageAsync(stop).ConfigureAwait(false) == 0)
                {
                    await DelayAsync(JobRunnerContext.Backoff(failures++, MaxRetryDelay), stop).ConfigureAwait(false);
                }

                Signal();
            }
            catch (Exception exception)
            {
                var delay = JobRunnerContext.Backoff(failures++, MaxRetryDelay);
                Log.FetchFailed(_logger, exception, TableName, delay);
                await DelayAsync(delay, stop).ConfigureAwait(false);
                Signal();
            }
        }
    }

    // Fills the room with fetches of at most MaxFetchBatchSize each. When the room needs several, they run at once on
    // separate connections (at most MaxParallelFetches), as IHP's concurrent workers do: with MaxFetchBatchSize 1 a
    // serial dispatcher would be held to one job per round trip and commit, while parallel fetches share commits.
    // Returns how many jobs were asked for and how many came.
    private async Task<(int Asked, int Fetched)> FetchRoomAsync(int room, CancellationToken stop)
    {
        var batch = _options.MaxFetchBatchSize;
        if (room <= batch)
        {
            var jobs = await FetchAsync(room, stop).ConfigureAwait(false);
            Dispatch(jobs);
            return (room, jobs.Count);
        }

        var count = Math.Min((room + batch - 1) / batch, MaxParallelFetches);
        var fetches = new Task<IReadOnlyList<TJob>>[count];
        var asked = 0;
        for (var i = 0; i < count; i++)
        {
            var limit = Math.Min(batch, room - asked);
            asked += limit;
            fetches[i] = FetchAsync(limit, stop);
        }

        var fetched = 0;
        Exception? failure = null;
        foreach (var fetch in fetches)
        {
            // Every fetch is awaited and its jobs dispatched even when another failed: they are locked to this worker.
            try
            {
                var jobs = await fetch.ConfigureAwait(false);
                Dispatch(jobs);
                fetched += jobs.Count;
            }
            catch (Exception exception)
            {
                failure ??= exception;
            }
        }

        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }

        return (asked, fetched);
    }

    // Runs between fetches (the dispatcher is the only fetcher), so every running row locked to this worker that it
    // does not hold came from the failed fetch.
    // Returns how many rows it took over or recorded as unreadable.
    private async Task<int> SalvageAsync(CancellationToken stop)
    {
        var unreadable = 0;
        try
        {
            await using var lease = await ContextLease<TContext>.CreateAsync(_services, stop).ConfigureAwait(false);
            var jobs = await lease.Context.SalvageFetchedJobsAsync<TJob>(
                _runner.WorkerId,
                _owned.Keys.ToArray(),
                _options.MaxAttempts,
                _options.Backoff,
                (id, attempt, error) =>
                {
                    unreadable++;
                    Log.UnreadableJob(_logger, error, TableName, id, attempt);
                },
                stop).ConfigureAwait(false);
            if (jobs.Count > 0)
            {
                Log.FetchedJobsSalvaged(_logger, TableName, jobs.Count);
                Dispatch(jobs);
            }

            return jobs.Count + unreadable;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return unreadable;
        }
        catch (Exception exception)
        {
            Log.SalvageFailed(_logger, exception, TableName);
            return unreadable;
        }
    }

    // Waits out a failure's backoff; a stop ends the wait early and the dispatch loop then ends.
    private async Task DelayAsync(TimeSpan delay, CancellationToken stop)
    {
        try
        {
            await Task.Delay(delay, _time, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task<IReadOnlyList<TJob>> FetchAsync(int limit, CancellationToken cancellationToken)
    {
        await using var lease = await ContextLease<TContext>.CreateAsync(_services, cancellationToken).ConfigureAwait(false);
        var jobs = await lease.Context.FetchJobsAsync<TJob>(_runner.WorkerId, limit, cancellationToken).ConfigureAwait(false);
        EfJobsTelemetry.RecordFetched(TableName, jobs.Count);
        return jobs;
    }

    private async Task ScheduleNextWakeAsync(CancellationToken stop)
    {
        TimeSpan? next;
        await using (var lease = await ContextLease<TContext>.CreateAsync(_services, stop).ConfigureAwait(false))
        {
            next = await lease.Context.TimeUntilNextScheduledJobAsync<TJob>(stop).ConfigureAwait(false);
        }

        SetWakeTimer(next);
    }

    private void SetWakeTimer(TimeSpan? next)
    {
        if (next is { } delay && delay < _options.PollInterval)
        {
            // A job due already fell due after the fetch, or is locked by another transaction (a fetch that has not
            // committed yet, or an application's own): wake soon, later each time that no job came, so such a row
            // cannot make the dispatcher spin.
            var wakeIn = delay < MinimumWakeDelay
                ? MinimumWakeDelay * (1 << Math.Min(_emptyWakes++, 5))
                : delay + TimeSpan.FromMilliseconds(5);
            var timer = _time.CreateTimer(static state => ((JobTypeRunner<TContext, TJob>)state!).Signal(), this, wakeIn, Timeout.InfiniteTimeSpan);
            Interlocked.Exchange(ref _scheduledTimer, timer)?.Dispose();
        }
    }

    private int BufferedCount
    {
        get
        {
            lock (_bufferGate)
            {
                return _buffer.Count;
            }
        }
    }

    // Owns the fetched jobs at once (heartbeat and release cover them from here on), then starts as many as there are
    // free slots; the rest wait in the buffer for a slot.
    private void Dispatch(IReadOnlyList<TJob> jobs)
    {
        lock (_bufferGate)
        {
            foreach (var job in jobs)
            {
                _owned[job.Id] = job;
                _buffer.Enqueue(job);
            }
        }

        StartBuffered();
    }

    // Called by the dispatcher and by every job that ends. Under the lock so that two callers cannot both take the last
    // free slot; a stopping runner starts nothing more, and its buffered jobs are released with the rest it owns.
    private void StartBuffered()
    {
        lock (_bufferGate)
        {
            while (_buffer.Count > 0 && Volatile.Read(ref _running) < _options.MaxConcurrency && !_stopFetching.IsCancellationRequested)
            {
                StartJob(_buffer.Dequeue());
            }
        }
    }

    private void StartJob(TJob job)
    {
        Interlocked.Increment(ref _running);
        var task = Task.Run(() => ExecuteAsync(job, RecordSuccessAsync), CancellationToken.None);
        _executing[task] = 0;
        task.ContinueWith(
            static (finished, state) =>
            {
                var runner = (JobTypeRunner<TContext, TJob>)state!;
                runner._executing.TryRemove(finished, out _);
                Interlocked.Decrement(ref runner._running);

                // A job that ended before its continuation was attached runs this inline, inside StartBuffered's lock:
                // that loop takes the freed slot itself, so recursing here would only deepen the stack.
                if (!Monitor.IsEntered(runner._bufferGate))
                {
                    runner.StartBuffered();
                }

                runner._slotFreed.Set();
            },
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private async Task ExecuteAsync(TJob job, Func<TJob, Task> recordSuccess)
    {
        var started = Stopwatch.GetTimestamp();
        Log.JobStarted(_logger, TableName, job.Id, job.AttemptsCount, _runner.WorkerId);
        using var activity = EfJobsTelemetry.StartPerform(TableName, job.Id, job.AttemptsCount, _runner.WorkerId);
        using var jobToken = CancellationTokenSource.CreateLinkedTokenSource(_cancelJobs.Token);
        // On the thread pool, so a handler that blocks before its first await cannot hold off the deadline.
        var work = Task.Run(() => PerformAsync(job, jobToken.Token), CancellationToken.None);

        if (_options.Timeout is { } timeout)
        {
            using var deadlineToken = new CancellationTokenSource();
            var deadline = Task.Delay(timeout, _time, deadlineToken.Token);
            if (await Task.WhenAny(work, deadline).ConfigureAwait(false) != work)
            {
                await jobToken.CancelAsync().ConfigureAwait(false);
                EfJobsTelemetry.RecordAttempt(activity, TableName, "timed_out", Stopwatch.GetElapsedTime(started));
                await RecordTimeoutAsync(job, timeout).ConfigureAwait(false);

                // The slot stays taken until the handler really returns, whether it honours its token or not.
                await work.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
                Log.LateHandlerReturned(_logger, TableName, job.Id, job.AttemptsCount, Stopwatch.GetElapsedTime(started).TotalMilliseconds - timeout.TotalMilliseconds);
                return;
            }

            await deadlineToken.CancelAsync().ConfigureAwait(false);
        }

        try
        {
            await work.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_cancelJobs.IsCancellationRequested)
        {
            // Interrupted by shutdown: the job stays owned and StopAsync releases it for another worker.
            EfJobsTelemetry.RecordAttempt(activity, TableName, "interrupted", Stopwatch.GetElapsedTime(started));
            return;
        }
        catch (Exception exception)
        {
            EfJobsTelemetry.RecordAttempt(activity, TableName, "failed", Stopwatch.GetElapsedTime(started), exception);
            await RecordFailureAsync(job, exception, Stopwatch.GetElapsedTime(started)).ConfigureAwait(false);
            return;
        }

        EfJobsTelemetry.RecordAttempt(activity, TableName, "succeeded", Stopwatch.GetElapsedTime(started));
        Log.JobSucceeded(_logger, TableName, job.Id, job.AttemptsCount, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        await recordSuccess(job).ConfigureAwait(false);
    }

    private async Task PerformAsync(TJob job, CancellationToken cancellationToken)
    {
        var scope = _services.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var handler = scope.ServiceProvider.GetRequiredService<IJobHandler<TJob>>();
            await handler.PerformAsync(job, cancellationToken).ConfigureAwait(false);
        }
    }

    private Task RecordSuccessAsync(TJob job)
    {
        if (_completer is not null)
        {
            return _completer.AddAsync(job);
        }

        return RecordAsync(job, db => db.JobDidSucceedAsync(job, _runner.WorkerId, CancellationToken.None));
    }

    private Task RecordFailureAsync(TJob job, Exception exception, TimeSpan duration)
    {
        Log.JobFailed(_logger, exception, TableName, job.Id, job.AttemptsCount, duration.TotalMilliseconds, Outcome(job));
        return RecordAsync(job, db => db.JobDidFailAsync(job, _runner.WorkerId, exception, _options.MaxAttempts, _options.Backoff, CancellationToken.None));
    }

    private Task RecordTimeoutAsync(TJob job, TimeSpan timeout)
    {
        Log.JobTimedOut(_logger, TableName, job.Id, job.AttemptsCount, timeout, Outcome(job));
        return RecordAsync(job, db => db.JobDidTimeoutAsync(job, _runner.WorkerId, _options.MaxAttempts, _options.Backoff, CancellationToken.None));
    }

    private string Outcome(TJob job) =>
        job.AttemptsCount < _options.MaxAttempts
            ? $"retry {job.AttemptsCount + 1} of {_options.MaxAttempts} in {_options.Backoff.Delay(job.AttemptsCount)}"
            : $"no attempts left (MaxAttempts {_options.MaxAttempts})";

    // Writes one job's result, retrying while the database is away; the job stops being owned once it is written.
    private async Task RecordAsync(TJob job, Func<TContext, Task<bool>> write)
    {
        for (var failures = 0; ; failures++)
        {
            try
            {
                await using var lease = await ContextLease<TContext>.CreateAsync(_services, CancellationToken.None).ConfigureAwait(false);
                if (!await write(lease.Context).ConfigureAwait(false))
                {
                    Log.ResultDiscarded(_logger, TableName, job.Id, job.AttemptsCount);
                }

                _owned.TryRemove(job.Id, out _);
                return;
            }
            catch (Exception exception) when (failures < 8 && !_stopHousekeeping.IsCancellationRequested)
            {
                await Task.Delay(JobRunnerContext.Backoff(failures, MaxRetryDelay), _time).ConfigureAwait(false);
                if (failures == 7)
                {
                    Log.ResultNotRecorded(_logger, exception, TableName, job.Id, job.AttemptsCount);
                }
            }
            catch (Exception exception)
            {
                Log.ResultNotRecorded(_logger, exception, TableName, job.Id, job.AttemptsCount);
                return;
            }
        }
    }

    private async Task PollLoopAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await PollAsync(stop).ConfigureAwait(false);
            var jitter = TimeSpan.FromMilliseconds(Random.Shared.Next(0, 2000));
            try
            {
                await Task.Delay(_options.PollInterval + jitter, _time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    // One poll: the trigger check, then when the next pending job is due. Only a due job costs a fetch; an idle type
    // costs these two statements on one connection (one pool reset) per poll interval.
    private async Task PollAsync(CancellationToken stop)
    {
        try
        {
            await using var lease = await ContextLease<TContext>.CreateAsync(_services, stop).ConfigureAwait(false);
            await lease.Context.Database.OpenConnectionAsync(stop).ConfigureAwait(false);
            try
            {
                await CheckTriggersAsync(lease.Context, stop).ConfigureAwait(false);
                var next = await lease.Context.TimeUntilNextScheduledJobAsync<TJob>(stop).ConfigureAwait(false);
                if (next is { } delay && delay <= MinimumWakeDelay)
                {
                    Signal();
                }
                else
                {
                    SetWakeTimer(next);
                }
            }
            finally
            {
                await lease.Context.Database.CloseConnectionAsync().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception)
        {
            // The database is away or the look failed: fetch, whose failure the dispatcher logs and retries.
            Signal();
        }
    }

    private async Task CheckTriggersAsync(DbContext db, CancellationToken stop)
    {
        try
        {
            var healthy = await db.NotificationTriggersHealthyAsync<TJob>(stop).ConfigureAwait(false);
            if (!healthy && _runner.Options.RepairTriggers)
            {
                await db.InstallNotificationTriggersAsync<TJob>(stop).ConfigureAwait(false);
                Log.TriggersRepaired(_logger, TableName);
                healthy = true;
            }
            else if (!healthy && _triggersHealthy != false)
            {
                Log.TriggersMissing(_logger, TableName, _options.PollInterval);
            }
            else if (healthy && _triggersHealthy == false)
            {
                Log.TriggersHealthy(_logger, TableName);
            }

            _triggersHealthy = healthy;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception exception)
        {
            Log.TriggerCheckFailed(_logger, exception, TableName);
        }
    }

    private async Task RescueLoopAsync(TimeSpan staleTimeout, CancellationToken stop)
    {
        var period = staleTimeout / 2;
        var failures = 0;
        while (!stop.IsCancellationRequested)
        {
            var delay = period;
            try
            {
                await using var lease = await ContextLease<TContext>.CreateAsync(_services, stop).ConfigureAwait(false);
                var recovered = await lease.Context.RecoverStaleJobsAsync<TJob>(staleTimeout, _options.MaxAttempts, stop).ConfigureAwait(false);
                failures = 0;
                if (recovered > 0)
                {
                    Log.StaleJobsRecovered(_logger, TableName, recovered);
                    Signal();
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                delay = JobRunnerContext.Backoff(failures++, period < MaxRetryDelay ? period : MaxRetryDelay);
                Log.RecoveryFailed(_logger, exception, TableName, delay);
            }

            try
            {
                await Task.Delay(delay, _time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task HeartbeatLoopAsync(CancellationToken stop)
    {
        var interval = _options.EffectiveHeartbeatInterval;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, _time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var ids = _owned.Keys.ToArray();
            if (ids.Length == 0)
            {
                continue;
            }

            try
            {
                await using var lease = await ContextLease<TContext>.CreateAsync(_services, stop).ConfigureAwait(false);
                await lease.Context.HeartbeatJobsAsync<TJob>(ids, _runner.WorkerId, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                Log.HeartbeatFailed(_logger, exception, TableName, ids.Length, interval);
            }
        }
    }

    private async Task ReleaseOwnedAsync()
    {
        // Prefetched jobs that never started go back as they were, their attempt not counted; started ones as interrupted.
        TJob[] unstarted;
        lock (_bufferGate)
        {
            unstarted = [.. _buffer];
            _buffer.Clear();
        }

        var interrupted = _owned.Keys.Except(unstarted.Select(j => j.Id)).ToArray();
        if (interrupted.Length == 0 && unstarted.Length == 0)
        {
            return;
        }

        try
        {
            await using var lease = await ContextLease<TContext>.CreateAsync(_services, CancellationToken.None).ConfigureAwait(false);
            var released = await lease.Context.ReleaseJobsAsync<TJob>(interrupted, _runner.WorkerId, InterruptedByShutdown).ConfigureAwait(false);
            released += await lease.Context.ReturnUnstartedJobsAsync(unstarted, _runner.WorkerId).ConfigureAwait(false);
            _owned.Clear();
            Log.JobsReleased(_logger, _runner.WorkerId, TableName, released);
        }
        catch (Exception exception)
        {
            Log.ReleaseFailed(_logger, exception, _runner.WorkerId, TableName);
        }
    }
}
