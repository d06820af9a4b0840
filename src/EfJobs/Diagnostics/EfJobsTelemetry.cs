using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace EfJobs.Diagnostics;

/// <summary>
/// EfJobs' ActivitySource and Meter, both named "EfJobs" and versioned with the package. Subscribe with
/// OpenTelemetry's <c>AddSource("EfJobs")</c> and <c>AddMeter("EfJobs")</c> (or the <c>AddEfJobsInstrumentation()</c>
/// extensions of the EfJobs.OpenTelemetry package); with no listener they cost a check per attempt and build no string.
/// Names and attributes follow OpenTelemetry's messaging semantic conventions where they apply: the README lists them.
/// </summary>
public static class EfJobsTelemetry
{
    /// <summary>The name of the ActivitySource and the Meter.</summary>
    public const string Name = "EfJobs";

    /// <summary>The value of <c>messaging.system</c> on every span and measurement.</summary>
    public const string MessagingSystem = "efjobs";

    internal const string QueueDepthName = "efjobs.queue.depth";
    internal const string OldestDueAgeName = "efjobs.queue.oldest_due_age";
    internal const string StaleJobsName = "efjobs.queue.stale_jobs";

    /// <summary>The package's version (the informational version without its source revision), on the source and the meter.</summary>
    internal static readonly string Version = ReadVersion();

    internal static readonly ActivitySource ActivitySource = new(Name, Version);

    internal static readonly Meter Meter = new(new MeterOptions(Name) { Version = Version });

    /// <summary>Bucket advice for attempt durations: 5 ms to 5 min, fine below a second where most jobs end.</summary>
    internal static readonly double[] DurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60, 120, 300];

    /// <summary>Bucket advice for pickup delays: 1 ms to 1 h (a scheduled job's delay counts from its run_at).</summary>
    internal static readonly double[] PickupDelayBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

    /// <summary>Duration of each attempt (<c>messaging.process.duration</c>), with its outcome.</summary>
    internal static readonly Histogram<double> ProcessDuration = Meter.CreateHistogram(
        "messaging.process.duration",
        unit: "s",
        description: "Duration of job attempts, by job table and outcome (succeeded, failed, timed_out, interrupted).",
        tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });

    /// <summary>Jobs taken by fetches of this process (<c>messaging.client.consumed.messages</c>).</summary>
    internal static readonly Counter<long> JobsFetched = Meter.CreateCounter<long>(
        "messaging.client.consumed.messages", unit: "{message}", description: "Jobs locked by this process's fetches, by job table.");

    /// <summary>Attempts that ended, by outcome.</summary>
    internal static readonly Counter<long> Attempts = Meter.CreateCounter<long>(
        "efjobs.job.attempts", unit: "{attempt}", description: "Job attempts that ended, by job table and outcome (succeeded, failed, timed_out, interrupted).");

    /// <summary>How long a job waited from due to started.</summary>
    internal static readonly Histogram<double> PickupDelay = Meter.CreateHistogram(
        "efjobs.job.pickup_delay",
        unit: "s",
        description: "Time from when a job could first run (the later of run_at and created_at) to the start of the attempt, by job table.",
        tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = PickupDelayBuckets });

    private static readonly ConcurrentDictionary<string, JobTypeTelemetry> ByTable = new(StringComparer.Ordinal);

    /// <summary>The meter for the instruments of one host: from its factory (so two hosts in a process keep apart), or a new one.</summary>
    internal static Meter CreateMeter(IMeterFactory? factory) =>
        factory?.Create(new MeterOptions(Name) { Version = Version }) ?? new Meter(new MeterOptions(Name) { Version = Version });

    /// <summary>The telemetry of one job table: its span name and tag lists, built once.</summary>
    internal static JobTypeTelemetry For(string table) => ByTable.GetOrAdd(table, static t => new JobTypeTelemetry(t));

    /// <summary>The tags of a measurement about one table.</summary>
    internal static KeyValuePair<string, object?>[] TableTags(string table) =>
    [
        new(SemanticConventions.MessagingSystem, MessagingSystem),
        new(SemanticConventions.DestinationName, table),
    ];

    internal static void RecordFetched(string table, int count)
    {
        if (count > 0 && JobsFetched.Enabled)
        {
            JobsFetched.Add(count, For(table).FetchTags);
        }
    }

    private static string ReadVersion()
    {
        var version = typeof(EfJobsTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? typeof(EfJobsTelemetry).Assembly.GetName().Version?.ToString()
            ?? "0.0.0";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}
