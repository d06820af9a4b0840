using System.Collections.Concurrent;
using System.Diagnostics;

namespace EfJobs.Benchmarks.Model;

/// <summary>
/// What the handlers did, shared by EfJobs' handler and the raw baselines: how many executions, optionally when each
/// job started (latency), and a task that completes when a target count is reached (so no one polls for it).
/// </summary>
public sealed class ExecutionRecorder
{
    private readonly ConcurrentDictionary<Guid, long>? _starts;
    private long _executions;
    private long _target = long.MaxValue;
    private TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ExecutionRecorder(bool recordStarts = false)
    {
        if (recordStarts)
        {
            _starts = new ConcurrentDictionary<Guid, long>();
        }
    }

    public long Executions => Interlocked.Read(ref _executions);

    /// <summary>Start timestamps (Stopwatch ticks) by job id; empty unless created with recordStarts.</summary>
    public IReadOnlyDictionary<Guid, long> Starts => _starts ?? new ConcurrentDictionary<Guid, long>();

    /// <summary>Returns a task that completes once <paramref name="target"/> executions happened in total.</summary>
    public Task WhenReachedAsync(long target)
    {
        _reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _target, target);
        if (Executions >= target)
        {
            _reached.TrySetResult();
        }

        return _reached.Task;
    }

    public void Record(Guid jobId)
    {
        _starts?.TryAdd(jobId, Stopwatch.GetTimestamp());
        if (Interlocked.Increment(ref _executions) >= Interlocked.Read(ref _target))
        {
            _reached.TrySetResult();
        }
    }
}
