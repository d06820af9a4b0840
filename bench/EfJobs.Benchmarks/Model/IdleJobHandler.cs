namespace EfJobs.Benchmarks.Model;

/// <summary>The handler of the idle scenario's types; it never runs, since the idle tables stay empty.</summary>
public sealed class IdleJobHandler<TJob> : IJobHandler<TJob>
    where TJob : JobBase
{
    public Task PerformAsync(TJob job, CancellationToken cancellationToken) => Task.CompletedTask;
}
