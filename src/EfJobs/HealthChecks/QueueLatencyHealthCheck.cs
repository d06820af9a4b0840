using System.Globalization;
using EfJobs.Queue;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EfJobs.HealthChecks;

/// <summary>
/// The age of the oldest due job of each registered type (the shared queue sample): Degraded from
/// <see cref="EfJobsHealthCheckOptions.QueueLatencyDegraded"/>, Unhealthy from
/// <see cref="EfJobsHealthCheckOptions.QueueLatencyUnhealthy"/>; the failure status when the sample fails.
/// </summary>
internal sealed class QueueLatencyHealthCheck(JobQueueMonitor monitor, EfJobsHealthCheckOptions options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        JobQueueSnapshot snapshot;
        try
        {
            snapshot = await monitor.GetAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "Sampling the job queue failed: " + exception.Message, exception);
        }

        var data = new Dictionary<string, object>();
        var worst = HealthStatus.Healthy;
        var late = new List<string>();
        foreach (var sample in snapshot.Tables)
        {
            var age = sample.OldestDueAge ?? TimeSpan.Zero;
            data[sample.Table.DisplayName + ".due"] = sample.Due;
            data[sample.Table.DisplayName + ".oldest_due_age_s"] = age.TotalSeconds;
            var status = age >= options.QueueLatencyUnhealthy ? context.Registration.FailureStatus
                : age >= options.QueueLatencyDegraded ? HealthStatus.Degraded
                : HealthStatus.Healthy;
            if (status != HealthStatus.Healthy)
            {
                late.Add(string.Create(CultureInfo.InvariantCulture, $"{sample.Table.DisplayName}: the oldest of {sample.Due} due job(s) has waited {age:hh\\:mm\\:ss}"));
                worst = status < worst ? status : worst;
            }
        }

        return late.Count == 0
            ? HealthCheckResult.Healthy($"No due job has waited {options.QueueLatencyDegraded} or longer.", data)
            : new HealthCheckResult(
                worst,
                string.Join("; ", late) + $" (Degraded from {options.QueueLatencyDegraded}, Unhealthy from {options.QueueLatencyUnhealthy}).",
                data: data);
    }
}
