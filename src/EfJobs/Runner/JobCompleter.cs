using System.Collections.Concurrent;
using System.Threading.Channels;
using EfJobs.Diagnostics;
using EfJobs.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace EfJobs.Runner;

/// <summary>
/// Writes successes in batches: one guarded UPDATE for every job that finished while the previous write was in
/// flight (River's completer). An idle queue pays no delay, a busy one pays one statement per batch.
/// </summary>
/// <remarks>
/// The backlog of finished but unrecorded successes is bounded by <paramref name="maxBacklog"/>: past it, a finished
/// job keeps its slot until the backlog shrinks. Without the bound a slow database lets the backlog grow without
/// limit, and a worker killed then re-runs every job in it.
/// </remarks>
internal sealed class JobCompleter<TContext, TJob>(IServiceProvider services, JobRunnerContext runner, JobTable table, ConcurrentDictionary<Guid, TJob> owned, int maxBacklog)
    where TContext : DbContext
    where TJob : JobBase
{
    private const int MaxBatch = 1000;
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(10);

    private readonly Channel<TJob> _queue = Channel.CreateUnbounded<TJob>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _backlogShrank = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _backlog;

    /// <summary>Queues a success; completes at once unless the backlog is full, then when it has room again.</summary>
    public Task AddAsync(TJob job)
    {
        if (!_queue.Writer.TryWrite(job))
        {
            // Only after CompleteAsync: the job stays owned, and shutdown releases it for another attempt.
            Log.ResultDiscarded(runner.Logger, table.Name, job.Id, job.AttemptsCount);
            return Task.CompletedTask;
        }

        return Interlocked.Increment(ref _backlog) <= maxBacklog ? Task.CompletedTask : WaitForRoomAsync();
    }

    private async Task WaitForRoomAsync()
    {
        while (!_done.Task.IsCompleted)
        {
            // Read the signal before the count: a shrink between the two completes the signal already read.
            var shrank = Volatile.Read(ref _backlogShrank);
            if (Volatile.Read(ref _backlog) <= maxBacklog)
            {
                return;
            }

            await Task.WhenAny(shrank.Task, _done.Task).ConfigureAwait(false);
        }
    }

    private void Shrink(int count)
    {
        Interlocked.Add(ref _backlog, -count);
        Interlocked.Exchange(ref _backlogShrank, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>Stops taking successes and returns once every queued one is written (or given up on).</summary>
    public Task CompleteAsync()
    {
        _queue.Writer.TryComplete();
        return _done.Task;
    }

    /// <param name="abandon">Cancelled when the runner stops for good: a batch that cannot be written by then is left to stale recovery.</param>
    public async Task RunAsync(CancellationToken abandon)
    {
        var batch = new List<TJob>(64);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var job))
                {
                    batch.Add(job);
                }

                await WriteAsync(batch, abandon).ConfigureAwait(false);
                Shrink(batch.Count);
            }
        }
        finally
        {
            _done.TrySetResult();
        }
    }

    private async Task WriteAsync(List<TJob> batch, CancellationToken abandon)
    {
        for (var failures = 0; ; failures++)
        {
            try
            {
                await using var lease = await ContextLease<TContext>.CreateAsync(services, CancellationToken.None).ConfigureAwait(false);
                var written = await lease.Context.JobsDidSucceedAsync(batch, runner.WorkerId, CancellationToken.None).ConfigureAwait(false);
                foreach (var job in batch)
                {
                    owned.TryRemove(job.Id, out _);
                }

                if (written < batch.Count)
                {
                    Log.CompletionsDiscarded(runner.Logger, table.Name, batch.Count - written);
                }

                return;
            }
            catch (Exception exception) when (!abandon.IsCancellationRequested)
            {
                var delay = JobRunnerContext.Backoff(failures, MaxRetryDelay);
                Log.CompletionFailed(runner.Logger, exception, table.Name, batch.Count, delay);
                try
                {
                    await Task.Delay(delay, runner.TimeProvider, abandon).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            catch (Exception exception)
            {
                Log.CompletionFailed(runner.Logger, exception, table.Name, batch.Count, TimeSpan.Zero);
                return;
            }
        }
    }
}
