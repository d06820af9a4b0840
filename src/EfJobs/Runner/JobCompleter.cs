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
internal sealed class JobCompleter<TContext, TJob>(IServiceProvider services, JobRunnerContext runner, JobTable table, ConcurrentDictionary<Guid, TJob> owned)
    where TContext : DbContext
    where TJob : JobBase
{
    private const int MaxBatch = 1000;
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(10);

    private readonly Channel<TJob> _queue = Channel.CreateUnbounded<TJob>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Add(TJob job)
    {
        if (!_queue.Writer.TryWrite(job))
        {
            // Only after CompleteAsync: the job stays owned, and shutdown releases it for another attempt.
            Log.ResultDiscarded(runner.Logger, table.Name, job.Id, job.AttemptsCount);
        }
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
