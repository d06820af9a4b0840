namespace EfJobs.Benchmarks.Model;

/// <summary>A no-op job: it only counts itself, so the benchmark measures the queue, not the work.</summary>
public sealed class BenchJobHandler(ExecutionRecorder recorder) : IJobHandler<BenchJob>
{
    public Task PerformAsync(BenchJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        recorder.Record(job.Id);
        return Task.CompletedTask;
    }
}
