using System.Collections.Concurrent;

namespace EfJobs.Tests.Infrastructure;

/// <summary>Records what handlers did, so tests can count executions and overlaps exactly.</summary>
public sealed class JobProbe
{
    private int _current;
    private int _max;

    public ConcurrentQueue<(Guid JobId, int Attempt, DateTime StartedAt)> Starts { get; } = new();

    public ConcurrentDictionary<Guid, int> ExecutionsById { get; } = new();

    public int MaxConcurrent => Volatile.Read(ref _max);

    public int TotalExecutions => Starts.Count;

    public IDisposable Enter(JobBase job)
    {
        Starts.Enqueue((job.Id, job.AttemptsCount, DateTime.UtcNow));
        ExecutionsById.AddOrUpdate(job.Id, 1, (_, n) => n + 1);
        var now = Interlocked.Increment(ref _current);
        int seen;
        while (now > (seen = Volatile.Read(ref _max)) && Interlocked.CompareExchange(ref _max, now, seen) != seen)
        {
        }

        return new Exit(this);
    }

    private sealed class Exit(JobProbe probe) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref probe._current);
    }
}
