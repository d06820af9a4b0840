using System.Threading.Channels;
using EfJobs.Diagnostics;
using EfJobs.Queue;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace EfJobs.Runner;

/// <summary>
/// Writes every outcome, successes and failures, and is the only component that does: successes in batches (River's
/// completer: one UPDATE for every job that finished while the previous write was in flight) or one by one as IHP
/// does, failures and timeouts at once. A write is retried with <see cref="RetryPolicy.Write"/> for as long as the
/// runner runs; a job leaves <see cref="OwnedJobs{TJob}"/> only when its result is written, so the heartbeat never
/// keeps alive a job whose result is lost. When PostgreSQL rejects an error text, the attempt is written with a
/// shorter one that it accepts. At stop, <see cref="FlushAsync"/> writes what is queued; what cannot be written by
/// the stop's deadline stays owned and is given back with the rest.
/// </summary>
internal sealed class JobResultWriter<TJob>
    where TJob : JobBase
{
    private const int MaxBatch = 1000;

    private readonly IJobStore<TJob> _store;
    private readonly OwnedJobs<TJob> _owned;
    private readonly JobRunnerContext _runner;
    private readonly JobOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<TJob> _successes = Channel.CreateUnbounded<TJob>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _abandon = new();
    private readonly SemaphoreSlim _backlog;
    private Task? _batchLoop;

    /// <param name="store">The statements of the job type.</param>
    /// <param name="owned">The jobs this worker holds; a job leaves it once its result is written.</param>
    /// <param name="runner">Worker id, clock and logger.</param>
    /// <param name="options">The type's options (batching, attempts, backoff).</param>
    /// <param name="maxBacklog">
    /// The most successes waiting for their write: past it, a finished job keeps its slot until the database takes the
    /// backlog, so a slow database cannot pile up successes that a kill would then run again.
    /// </param>
    public JobResultWriter(IJobStore<TJob> store, OwnedJobs<TJob> owned, JobRunnerContext runner, JobOptions options, int maxBacklog)
    {
        _store = store;
        _owned = owned;
        _runner = runner;
        _options = options;
        _logger = runner.Logger;
        _backlog = new SemaphoreSlim(maxBacklog, maxBacklog);
    }

    public void Start()
    {
        if (_options.BatchCompletions && Interlocked.CompareExchange(ref _batchLoop, Task.CompletedTask, null) is null)
        {
            _batchLoop = Task.Run(BatchLoopAsync, CancellationToken.None);
        }
    }

    /// <summary>Writes (or queues) one outcome; completes once the job's slot may be used again.</summary>
    public async Task WriteAsync(TJob job, JobOutcome outcome)
    {
        switch (outcome.Kind)
        {
            case JobOutcomeKind.Succeeded when _batchLoop is not null:
                await _backlog.WaitAsync(_abandon.Token).ConfigureAwait(false);
                if (!_successes.Writer.TryWrite(job))
                {
                    _backlog.Release();
                    await WriteSuccessesAsync([job]).ConfigureAwait(false);
                }

                break;
            case JobOutcomeKind.Succeeded:
                await WriteSuccessesAsync([job]).ConfigureAwait(false);
                break;
            case JobOutcomeKind.Failed:
                await WriteFailureAsync(job, outcome.Error ?? "(no error text)", JobStatus.Failed).ConfigureAwait(false);
                break;
            case JobOutcomeKind.TimedOut:
                await WriteFailureAsync(job, JobErrorText.TimeoutReached, JobStatus.TimedOut).ConfigureAwait(false);
                break;
            case JobOutcomeKind.Interrupted:
                // Stays owned: the stop gives it back, its attempt not counted.
                break;
        }
    }

    /// <summary>Writes a batch of successes now, with the retry policy (the drain and the batch loop use it).</summary>
    public async Task WriteSuccessesAsync(IReadOnlyCollection<TJob> jobs)
    {
        for (var failures = 0; ; failures++)
        {
            try
            {
                var written = await _store.SucceedAsync(jobs, CancellationToken.None).ConfigureAwait(false);
                if (written < jobs.Count)
                {
                    Log.CompletionsDiscarded(_logger, _store.Table.Name, jobs.Count - written);
                }

                foreach (var job in jobs)
                {
                    _owned.Remove(job.Id);
                }

                return;
            }
            catch (Exception exception)
            {
                if (!await BackOffAsync(exception, failures, jobs.Count).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
    }

    /// <summary>Stops taking successes into the batch and returns once every queued one is written (or abandoned).</summary>
    public Task FlushAsync()
    {
        _successes.Writer.TryComplete();
        return _batchLoop ?? Task.CompletedTask;
    }

    /// <summary>Gives up every write still retrying: the stop's deadline has passed. Those jobs stay owned.</summary>
    public void Abandon() => _abandon.Cancel();

    private async Task WriteFailureAsync(TJob job, string error, JobStatus finalStatus)
    {
        var rejected = false;
        for (var failures = 0; ; failures++)
        {
            try
            {
                if (!await _store.FailAsync(job, error, finalStatus, CancellationToken.None).ConfigureAwait(false))
                {
                    Log.ResultDiscarded(_logger, _store.Table.Name, job.Id, job.AttemptsCount);
                }

                _owned.Remove(job.Id);
                return;
            }
            catch (Exception exception) when (!rejected && DatabaseErrors.Classify(exception) == DatabaseErrorKind.Rejected)
            {
                // PostgreSQL refused the statement for its data: record the attempt all the same, with a text that
                // says why the real one is missing. Counting the attempt is what keeps a poison job from looping.
                rejected = true;
                var sqlState = (exception as PostgresException ?? exception.InnerException as PostgresException)?.SqlState ?? "unknown";
                error = JobErrorText.Bound($"EfJobs could not write this attempt's error text (SQLSTATE {sqlState}); its start: {error[..Math.Min(error.Length, 2000)]}");
                Log.ErrorTextRejected(_logger, exception, _store.Table.Name, job.Id, job.AttemptsCount);
            }
            catch (Exception exception)
            {
                if (!await BackOffAsync(exception, failures, 1).ConfigureAwait(false))
                {
                    Log.ResultNotRecorded(_logger, exception, _store.Table.Name, job.Id, job.AttemptsCount);
                    return;
                }
            }
        }
    }

    // Logs the failed write and waits out the backoff; false once the writer is abandoned.
    private async Task<bool> BackOffAsync(Exception exception, int failures, int count)
    {
        if (_abandon.IsCancellationRequested)
        {
            return false;
        }

        var delay = RetryPolicy.Write.Delay(failures);
        Log.ResultWriteFailed(_logger, exception, _store.Table.Name, count, delay);
        try
        {
            await Task.Delay(delay, _runner.TimeProvider, _abandon.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task BatchLoopAsync()
    {
        var batch = new List<TJob>(64);
        while (await _successes.Reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _successes.Reader.TryRead(out var job))
            {
                batch.Add(job);
            }

            try
            {
                await WriteSuccessesAsync(batch).ConfigureAwait(false);
            }
            finally
            {
                _backlog.Release(batch.Count);
            }
        }
    }
}
