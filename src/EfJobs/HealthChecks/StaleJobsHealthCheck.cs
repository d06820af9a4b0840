using System.Globalization;
using EfJobs.Queue;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EfJobs.HealthChecks;

/// <summary>
/// Running rows whose lock is older than their type's <see cref="JobOptions.StaleJobTimeout"/> (the shared queue
/// sample): Degraded while there are any (the stale-job rescuer returns them within half the timeout), Unhealthy
/// when the oldest lock is twice the timeout old (no process with stale recovery is rescuing them). Types without a
/// StaleJobTimeout are not judged.
/// </summary>
internal sealed class StaleJobsHealthCheck(JobQueueMonitor monitor) : IHealthCheck
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
        var stale = new List<string>();
        foreach (var sample in snapshot.Tables)
        {
            if (sample.StaleJobTimeout is not { } timeout)
            {
                continue;
            }

            data[sample.Table.DisplayName + ".stale"] = sample.Stale;
            if (sample.Stale == 0)
            {
                continue;
            }

            var age = sample.OldestLockAge ?? TimeSpan.Zero;
            var status = age >= 2 * timeout ? context.Registration.FailureStatus : HealthStatus.Degraded;
            worst = status < worst ? status : worst;
            stale.Add(string.Create(CultureInfo.InvariantCulture, $"{sample.Table.DisplayName}: {sample.Stale} running job(s) without a heartbeat for over {timeout}, the oldest locked {age:hh\\:mm\\:ss} ago"));
        }

        return stale.Count == 0
            ? HealthCheckResult.Healthy("No running job has gone without a heartbeat past its StaleJobTimeout.", data)
            : new HealthCheckResult(worst, string.Join("; ", stale) + " (Unhealthy from twice the StaleJobTimeout: nobody rescues them).", data: data);
    }
}
