using EfJobs.Diagnostics;

namespace OpenTelemetry.Trace;

/// <summary>Adds EfJobs' spans to OpenTelemetry tracing.</summary>
public static class EfJobsTracerProviderBuilderExtensions
{
    /// <summary>
    /// Subscribes to the <c>EfJobs</c> ActivitySource: one span per attempt (<c>process &lt;table&gt;</c>, kind
    /// Consumer, with OpenTelemetry's messaging attributes), a child of the span that enqueued the job or a new trace
    /// linked to it. It only calls <c>AddSource("EfJobs")</c>; exporters and samplers stay the application's choice.
    /// </summary>
    /// <example><c>services.AddOpenTelemetry().WithTracing(t => t.AddEfJobsInstrumentation().AddOtlpExporter());</c></example>
    /// <param name="builder">The application's tracer provider builder.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static TracerProviderBuilder AddEfJobsInstrumentation(this TracerProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddSource(EfJobsTelemetry.Name);
    }
}
