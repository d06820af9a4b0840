using System.Collections.Concurrent;
using EfJobs.Diagnostics;
using EfJobs.Queue;

namespace EfJobs.Runner;

/// <summary>
/// The only code that fetches and starts jobs of one type: wake, count the room, fetch, own, start. It owns the
/// prefetch buffer and the running count. Fetched jobs are owned at once (heartbeat and stop cover them), started
/// while there are free slots and kept in the buffer otherwise. A slot whose job ends takes the next buffered job
/// itself, on the same task, and signals the loop only when it leaves or the buffer needs a refill: a drain of short
/// jobs costs no thread-pool hop and no wake of the loop per job.
/// </summary>
internal sealed class JobProducer<TJob> : ServiceLoop
    where TJob : JobBase
{
    // The most fetches in flight at once: enough for 16 single-job fetches (IHP mode) or a refill of a large prefetch
    // buffer, without taking a large share of the connection pool.
    private const int MaxParallelFetches = 16;
    private static readonly TimeSpan MaxSchemaRetryDelay = TimeSpan.FromSeconds(5);

    private readonly IJobStore<TJob> _store;
    private readonly OwnedJobs<TJob> _owned;
    private readonly JobExecutor<TJob> _executor;
    private readonly JobResultWriter<TJob> _writer;
    private readonly WakeTimer _timer;
    private readonly LivenessState _liveness;
    private readonly JobOptions _options;
    private readonly WakeSignal _signal = new();
    // Taken under its own lock by the loop (enqueue, start) and by slots (take the next job); never while stopping.
    private readonly Queue<TJob> _buffer = new();
    private readonly ConcurrentDictionary<Task, byte> _running = new();
    private int _runningCount;

    // Moving averages (seconds) behind an automatic PrefetchCount; written racily by finishing jobs, which only
    // costs a sample now and then. Zero job time means nothing was measured yet.
    private double _jobSeconds;
    private double _fetchSeconds;
    private int _wakeRequested = 1;
    private bool _stopping;
    private volatile bool _fetching;
    private int _emptyWakes;
    private bool _schemaMissing;

    public JobProducer(IJobStore<TJob> store, OwnedJobs<TJob> owned, JobExecutor<TJob> executor, JobResultWriter<TJob> writer, WakeTimer timer, LivenessState liveness, JobRunnerContext runner, JobOptions options)
        : base("producer " + store.Table.Name, runner.Logger, runner.TimeProvider)
    {
        _store = store;
        _owned = owned;
        _executor = executor;
        _writer = writer;
        _timer = timer;
        _liveness = liveness;
        _options = options;
    }

    /// <summary>
    /// The buffer's size now: <see cref="JobOptions.PrefetchCount"/> when set; otherwise as many jobs as the slots
    /// finish during one fetch (MaxConcurrency x fetch time / job time), up to <see cref="JobOptions.AutomaticPrefetchLimit"/>.
    /// </summary>
    public int Prefetch
    {
        get
        {
            if (_options.PrefetchCount is { } fixedSize)
            {
                return fixedSize;
            }

            var job = Volatile.Read(ref _jobSeconds);
            if (job <= 0)
            {
                return 0;
            }

            var size = _options.MaxConcurrency * Volatile.Read(ref _fetchSeconds) / job;
            return size >= _options.AutomaticPrefetchLimit ? _options.AutomaticPrefetchLimit : (int)size;
        }
    }

    // Without a buffer any free slot is worth a fetch; with one, it is refilled once about half empty, so fetches stay large.
    private int RefillThreshold(int prefetch) =>
        prefetch == 0 ? 1 : Math.Max(1, Math.Min(_options.MaxFetchBatchSize, prefetch) / 2);

    private static void Average(ref double average, double sample)
    {
        var current = Volatile.Read(ref average);
        Volatile.Write(ref average, current <= 0 ? sample : current + ((sample - current) * 0.2));
    }

    /// <summary>Jobs may be due: fetch soon. Never blocks; a burst collapses into one fetch.</summary>
    public void Signal()
    {
        Volatile.Write(ref _wakeRequested, 1);
        _signal.Set();
    }

    /// <summary>Jobs fetched and not started: read only after the loop stopped (no slot takes one after that).</summary>
    public IReadOnlyCollection<Guid> BufferedIds
    {
        get
        {
            lock (_buffer)
            {
                return [.. _buffer.Select(j => j.Id)];
            }
        }
    }

    /// <summary>Completes when every started job has ended (its result written or handed back), or when <paramref name="cancellationToken"/> fires.</summary>
    public Task WhenRunningJobsEndAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_running.Keys).WaitAsync(cancellationToken);

    public int RunningCount => Volatile.Read(ref _runningCount);

    // A fetch runs while the loop goes on starting buffered jobs in the slots that free up meanwhile; its completion
    // signals the loop, which owns its jobs. The loop is the only code that touches the buffer.
    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        var mayHaveWork = false;
        var failures = 0;
        Task<FetchResult>? fetch = null;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                if (fetch is { IsCompleted: true })
                {
                    var result = await fetch.ConfigureAwait(false);
                    fetch = null;
                    _fetching = false;
                    Own(result.Jobs);
                    if (result.Failure is { } failure)
                    {
                        if (stop.IsCancellationRequested)
                        {
                            break;
                        }

                        StartBuffered();
                        await HandleFetchFailureAsync(failure, failures++, stop).ConfigureAwait(false);
                        continue;
                    }

                    failures = 0;
                    if (_schemaMissing)
                    {
                        _schemaMissing = false;
                        Log.SchemaFound(Logger, _store.Table.Name);
                    }

                    if (result.Jobs.Count < result.Asked)
                    {
                        // Nothing more is due: wake again at the next scheduled job, on a notification or at the poll.
                        mayHaveWork = false;
                        _emptyWakes = result.Jobs.Count > 0 ? 0 : _emptyWakes + 1;
                        StartBuffered();
                        await ScheduleNextWakeAsync(stop).ConfigureAwait(false);
                    }
                }

                StartBuffered();
                if (Interlocked.Exchange(ref _wakeRequested, 0) == 1)
                {
                    mayHaveWork = true;
                }

                var room = Room(out var threshold);
                if (fetch is null && mayHaveWork && room >= threshold && _liveness.MayFetch)
                {
                    _fetching = true;
                    fetch = FetchRoomAsync(room, stop);

                    // Signalled once the task is complete (not from inside it), so the loop never wakes to an unfinished fetch.
                    _ = fetch.ContinueWith(static (_, state) => ((WakeSignal)state!).Set(), _signal, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                    continue;
                }

                await _signal.WaitAsync(stop).ConfigureAwait(false);
            }
        }
        finally
        {
            // From here no slot takes a buffered job: the stop gives them back.
            lock (_buffer)
            {
                _stopping = true;
            }

            // Rows a fetch in flight at the stop locked are owned, so the stop gives them back.
            if (fetch is not null)
            {
                Own((await fetch.ConfigureAwait(false)).Jobs);
            }
        }
    }

    private async Task HandleFetchFailureAsync(Exception exception, int failures, CancellationToken stop)
    {
        switch (DatabaseErrors.Classify(exception, stop))
        {
            case DatabaseErrorKind.Unreadable:
                // The fetch committed, so its rows are locked to this worker, but one could not be read: take the
                // batch over row by row, so that row fails alone and its neighbours run.
                Log.FetchUnreadable(Logger, exception, _store.Table.Name);
                if (await SalvageAsync(stop).ConfigureAwait(false) == 0)
                {
                    await DelayAsync(RetryPolicy.Reconnect.Delay(failures), stop).ConfigureAwait(false);
                }

                break;
            case DatabaseErrorKind.SchemaMissing:
                var wait = TimeSpan.FromTicks(Math.Min(RetryPolicy.Write.Delay(failures).Ticks, MaxSchemaRetryDelay.Ticks));
                if (!_schemaMissing)
                {
                    _schemaMissing = true;
                    Log.SchemaMissing(Logger, exception, _store.Table.Name);
                }

                await DelayAsync(wait, stop).ConfigureAwait(false);
                break;
            default:
                var delay = RetryPolicy.Reconnect.Delay(failures);
                Log.FetchFailed(Logger, exception, _store.Table.Name, delay);
                await DelayAsync(delay, stop).ConfigureAwait(false);
                break;
        }
    }

    // Fills the room with fetches of at most MaxFetchBatchSize each, several at once on separate connections when the
    // room needs them (as IHP's concurrent workers do: with MaxFetchBatchSize 1 a serial producer would be held to
    // one job per round trip). Never throws: every fetch is awaited, and the jobs of those that worked are returned
    // with the first failure, since they are locked to this worker.
    private async Task<FetchResult> FetchRoomAsync(int room, CancellationToken stop)
    {
        var batch = _options.MaxFetchBatchSize;
        var count = Math.Min((room + batch - 1) / batch, MaxParallelFetches);
        var fetches = new Task<IReadOnlyList<TJob>>[count];
        var asked = 0;
        for (var i = 0; i < count; i++)
        {
            var limit = Math.Min(batch, room - asked);
            asked += limit;
            fetches[i] = _store.FetchAsync(limit, stop);
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var jobs = new List<TJob>(room);
        Exception? failure = null;
        foreach (var fetch in fetches)
        {
            try
            {
                var fetched = await fetch.ConfigureAwait(false);
                EfJobsTelemetry.RecordFetched(_store.Table.Name, fetched.Count);
                jobs.AddRange(fetched);
            }
            catch (Exception exception)
            {
                failure ??= exception;
            }
        }

        if (failure is null && jobs.Count > 0)
        {
            Average(ref _fetchSeconds, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
        }

        return new FetchResult(asked, jobs, failure);
    }

    private sealed record FetchResult(int Asked, List<TJob> Jobs, Exception? Failure);

    // Runs between fetches (the producer is the only fetcher), so every running row locked to this worker that it does
    // not own came from the failed fetch. Returns how many rows it took over or recorded as unreadable.
    private async Task<int> SalvageAsync(CancellationToken stop)
    {
        var unreadable = 0;
        try
        {
            var jobs = await _store.SalvageAsync(
                _owned.Ids(),
                (id, attempt, error) =>
                {
                    unreadable++;
                    Log.UnreadableJob(Logger, error, _store.Table.Name, id, attempt);
                },
                stop).ConfigureAwait(false);
            if (jobs.Count > 0)
            {
                Log.FetchedJobsSalvaged(Logger, _store.Table.Name, jobs.Count);
                Own(jobs);
            }

            return jobs.Count + unreadable;
        }
        catch (Exception exception) when (!stop.IsCancellationRequested)
        {
            Log.SalvageFailed(Logger, exception, _store.Table.Name);
            return unreadable;
        }
    }

    private async Task ScheduleNextWakeAsync(CancellationToken stop)
    {
        try
        {
            _timer.Set(await _store.TimeUntilNextDueAsync(stop).ConfigureAwait(false), _emptyWakes);
        }
        catch (Exception) when (!stop.IsCancellationRequested)
        {
            // The poll looks again; a failing database shows in the next fetch's log line.
        }
    }

    // Free room for a fetch, and the room worth one (see RefillThreshold).
    private int Room(out int threshold)
    {
        var prefetch = Prefetch;
        threshold = RefillThreshold(prefetch);
        int buffered;
        lock (_buffer)
        {
            buffered = _buffer.Count;
        }

        return _options.MaxConcurrency + prefetch - RunningCount - buffered;
    }

    private void Own(IReadOnlyList<TJob> jobs)
    {
        foreach (var job in jobs)
        {
            _owned.Add(job);
        }

        lock (_buffer)
        {
            foreach (var job in jobs)
            {
                _buffer.Enqueue(job);
            }
        }
    }

    // The next buffered job for a slot, or null when there is none or the loop is stopping.
    private TJob? TakeBuffered()
    {
        lock (_buffer)
        {
            return !_stopping && _buffer.TryDequeue(out var job) ? job : null;
        }
    }

    private void StartBuffered()
    {
        while (RunningCount < _options.MaxConcurrency && TakeBuffered() is { } job)
        {
            Interlocked.Increment(ref _runningCount);
            var task = Task.Run(() => RunAsync(job), CancellationToken.None);
            _running[task] = 0;
            _ = task.ContinueWith(
                static (finished, state) => ((JobProducer<TJob>)state!)._running.TryRemove(finished, out _),
                this,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    // One slot: runs its job, then the buffered ones after it, until the buffer is empty or the loop stops.
    private async Task RunAsync(TJob first)
    {
        for (TJob? job = first; job is not null; job = TakeBuffered())
        {
            await RunOneAsync(job).ConfigureAwait(false);

            // The buffer is low and no fetch is on its way: wake the loop to refill it (a burst of signals is one wake).
            if (!_fetching && Room(out var threshold) >= threshold)
            {
                _signal.Set();
            }
        }

        Interlocked.Decrement(ref _runningCount);
        _signal.Set();
    }

    private async Task RunOneAsync(TJob job)
    {
        try
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var outcome = await _executor.ExecuteAsync(job).ConfigureAwait(false);
            Average(ref _jobSeconds, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
            await _writer.WriteAsync(job, outcome).ConfigureAwait(false);
            if (outcome.StillRunning is { } handler)
            {
                // The slot stays taken until the handler really returns, whether it honours its token or not.
                var timedOutAt = System.Diagnostics.Stopwatch.GetTimestamp();
                await handler.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
                Log.LateHandlerReturned(Logger, _store.Table.Name, job.Id, job.AttemptsCount, System.Diagnostics.Stopwatch.GetElapsedTime(timedOutAt).TotalMilliseconds);
            }
        }
        catch (Exception exception)
        {
            // Only an abandoned write gets here (the stop's deadline passed): the job stays owned and is given back.
            Log.ResultNotRecorded(Logger, exception, _store.Table.Name, job.Id, job.AttemptsCount);
        }
    }
}
