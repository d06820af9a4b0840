using EfJobs;

namespace WebApp.Jobs;

public sealed class DemoJobHandler : IJobHandler<DemoJob>
{
    public async Task PerformAsync(DemoJob job, CancellationToken cancellationToken)
    {
        await Task.Delay(job.WorkMs, cancellationToken);
        if (job.AttemptsCount <= job.FailFirstAttempts)
        {
            throw new InvalidOperationException($"Demo failure on attempt {job.AttemptsCount} of a job that fails its first {job.FailFirstAttempts}.");
        }
    }
}
