using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace EfJobs.Diagnostics;

/// <summary>
/// EfJobs' ActivitySource and Meter, both named "EfJobs". Subscribe with OpenTelemetry's <c>AddSource("EfJobs")</c> and
/// <c>AddMeter("EfJobs")</c>; with no listener they cost a null check.
/// </summary>
public static class EfJobsTelemetry
{
    /// <summary>The name of the ActivitySource and the Meter.</summary>
    public const string Name = "EfJobs";

    internal static readonly ActivitySource ActivitySource = new(Name);

    internal static readonly Meter Meter = new(Name);

    /// <summary>Duration of each attempt, tagged with the job table and its outcome.</summary>
    internal static readonly Histogram<double> JobDuration = Meter.CreateHistogram<double>(
        "efjobs.job.duration", unit: "s", description: "Duration of job attempts, by table and outcome (succeeded, failed, timed_out, interrupted).");

    /// <summary>Jobs taken by fetches of this process.</summary>
    internal static readonly Counter<long> JobsFetched = Meter.CreateCounter<long>(
        "efjobs.jobs.fetched", unit: "{job}", description: "Jobs locked by this process's fetches, by table.");

    /// <summary>Starts the activity of one attempt, or returns null when nobody listens.</summary>
    internal static Activity? StartPerform(string table, Guid jobId, int attempt, Guid workerId)
    {
        var activity = ActivitySource.StartActivity("efjobs.perform " + table, ActivityKind.Consumer);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("efjobs.table", table);
            activity.SetTag("efjobs.job.id", jobId);
            activity.SetTag("efjobs.job.attempt", attempt);
            activity.SetTag("efjobs.worker.id", workerId);
        }

        return activity;
    }

    internal static void RecordAttempt(Activity? activity, string table, string outcome, TimeSpan duration, Exception? exception = null)
    {
        if (activity is not null)
        {
            activity.SetTag("efjobs.outcome", outcome);
            if (exception is not null)
            {
                activity.SetStatus(ActivityStatusCode.Error, exception.Message);
            }
        }

        if (JobDuration.Enabled)
        {
            JobDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("efjobs.table", table), new KeyValuePair<string, object?>("efjobs.outcome", outcome));
        }
    }

    internal static void RecordFetched(string table, int count)
    {
        if (count > 0 && JobsFetched.Enabled)
        {
            JobsFetched.Add(count, new KeyValuePair<string, object?>("efjobs.table", table));
        }
    }
}
