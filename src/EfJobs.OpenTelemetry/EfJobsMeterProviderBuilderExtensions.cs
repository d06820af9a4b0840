using EfJobs.Diagnostics;

namespace OpenTelemetry.Metrics;

/// <summary>Adds EfJobs' metrics to OpenTelemetry metrics.</summary>
public static class EfJobsMeterProviderBuilderExtensions
{
    /// <summary>
    /// Subscribes to the <c>EfJobs</c> Meter: attempt durations (<c>messaging.process.duration</c>, with bucket advice
    /// from 5 ms), fetched jobs, attempts by outcome, pickup delay, and the queue gauges (depth, age of the oldest due
    /// job, stale jobs) per job table. It only calls <c>AddMeter("EfJobs")</c>.
    /// </summary>
    /// <example><c>services.AddOpenTelemetry().WithMetrics(m => m.AddEfJobsInstrumentation().AddOtlpExporter());</c></example>
    /// <param name="builder">The application's meter provider builder.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static MeterProviderBuilder AddEfJobsInstrumentation(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddMeter(EfJobsTelemetry.Name);
    }
}
