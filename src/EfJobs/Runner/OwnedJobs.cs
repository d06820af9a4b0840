using System.Collections.Concurrent;

namespace EfJobs.Runner;

/// <summary>
/// The jobs of one type that this worker holds locked: buffered, running, or finished with the result not yet
/// written. The heartbeat keeps exactly these alive; a graceful stop gives back whatever is still here. A job leaves
/// only when its result is written (or the database says the worker no longer owns it).
/// </summary>
internal sealed class OwnedJobs<TJob>
    where TJob : JobBase
{
    private readonly ConcurrentDictionary<Guid, TJob> _jobs = new();

    public int Count => _jobs.Count;

    public void Add(TJob job) => _jobs[job.Id] = job;

    public void Remove(Guid id) => _jobs.TryRemove(id, out _);

    public bool Contains(Guid id) => _jobs.ContainsKey(id);

    /// <summary>A snapshot of the ids.</summary>
    public Guid[] Ids() => [.. _jobs.Keys];
}
