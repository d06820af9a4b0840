namespace EfJobs.Runner;

/// <summary>
/// Whether this process holds its liveness lock (<see cref="Configuration.WorkerLiveness"/>) right now. While it takes part in
/// liveness but does not hold the lock (the LISTEN connection is down or not up yet), its rows would look like a dead
/// worker's to other processes, so its producers fetch nothing until the lock is back.
/// </summary>
internal sealed class LivenessState(bool required)
{
    private volatile bool _held;

    public bool Required { get; } = required;

    public bool MayFetch => !Required || _held;

    public void Set(bool held) => _held = held;
}
