using EfJobs;
using EfJobs.HealthChecks;
using EfJobs.Queue;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds EfJobs' health checks to an application's health checks.</summary>
public static class EfJobsHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds three checks (names in <see cref="EfJobsHealthChecks"/>): <c>efjobs-runner</c> (tags efjobs, live,
    /// ready): the runner runs, its LISTEN connection is up and its loops run, Degraded while jobs are found by
    /// polling only; <c>efjobs-queue-latency</c> (efjobs, ready): the age of the oldest due job per type against
    /// <paramref name="configure"/>'s thresholds; <c>efjobs-stale-jobs</c> (efjobs, ready): running rows whose lock
    /// is older than their type's StaleJobTimeout. The two queue checks share one query per job type per
    /// <see cref="EfJobsOptions.QueueSampleInterval"/> with the queue gauges, however often probes come.
    /// </summary>
    /// <example>
    /// <code>
    /// builder.Services.AddHealthChecks().AddEfJobs(o => o.QueueLatencyUnhealthy = TimeSpan.FromMinutes(10));
    /// app.MapHealthChecks("/health/live", new() { Predicate = c => c.Tags.Contains(EfJobsHealthChecks.LiveTag) });
    /// </code>
    /// </example>
    /// <param name="builder">The builder from <c>services.AddHealthChecks()</c>; <c>services.AddEfJobs&lt;TContext&gt;</c> must be called too.</param>
    /// <param name="configure">Sets the thresholds; the defaults otherwise (Degraded from 1 minute, Unhealthy from 5).</param>
    /// <param name="failureStatus">What a failing check reports; default <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentException">A threshold is invalid (the message names it).</exception>
    public static IHealthChecksBuilder AddEfJobs(this IHealthChecksBuilder builder, Action<EfJobsHealthCheckOptions>? configure = null, HealthStatus? failureStatus = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new EfJobsHealthCheckOptions();
        configure?.Invoke(options);
        if (options.Validate() is { } problem)
        {
            throw new ArgumentException("EfJobs health checks: " + problem, nameof(configure));
        }

        builder.Add(new HealthCheckRegistration(
            EfJobsHealthChecks.Runner,
            sp => new RunnerHealthCheck(Required<JobRunner>(sp), sp.GetRequiredService<IOptions<EfJobsOptions>>().Value),
            failureStatus,
            [EfJobsHealthChecks.Tag, EfJobsHealthChecks.LiveTag, EfJobsHealthChecks.ReadyTag]));
        builder.Add(new HealthCheckRegistration(
            EfJobsHealthChecks.QueueLatency,
            sp => new QueueLatencyHealthCheck(Required<JobQueueMonitor>(sp), options),
            failureStatus,
            [EfJobsHealthChecks.Tag, EfJobsHealthChecks.ReadyTag]));
        builder.Add(new HealthCheckRegistration(
            EfJobsHealthChecks.StaleJobs,
            sp => new StaleJobsHealthCheck(Required<JobQueueMonitor>(sp)),
            failureStatus,
            [EfJobsHealthChecks.Tag, EfJobsHealthChecks.ReadyTag]));
        return builder;
    }

    private static T Required<T>(IServiceProvider services)
        where T : class =>
        services.GetService<T>() ?? throw new InvalidOperationException(
            "AddHealthChecks().AddEfJobs() checks the runner that services.AddEfJobs<TContext>(...) registers; call AddEfJobs<TContext> too.");
}
