namespace EfJobs.ReliabilityTests.Worker;

/// <summary>Runs a recurring probe job: nothing to do; the scenario counts the rows the schedule made.</summary>
public sealed class RecurringProbeHandler : IJobHandler<RecurringProbeJob>
{
    public Task PerformAsync(RecurringProbeJob job, CancellationToken cancellationToken) => Task.CompletedTask;
}
