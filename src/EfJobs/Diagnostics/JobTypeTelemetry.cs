using System.Diagnostics;

namespace EfJobs.Diagnostics;

/// <summary>
/// The spans and measurements of one job table. Its span name and tag lists are built once, so an attempt that
/// nobody listens to builds no string and allocates no tag list.
/// </summary>
internal sealed class JobTypeTelemetry
{
    private const string Process = "process";

    private readonly string _spanName;
    private readonly Dictionary<string, KeyValuePair<string, object?>[]> _outcomeTags;
    private readonly KeyValuePair<string, object?>[] _tableTags;

    public JobTypeTelemetry(string table)
    {
        Table = table;
        _spanName = Process + " " + table;
        _tableTags = EfJobsTelemetry.TableTags(table);
        FetchTags =
        [
            .. _tableTags,
            new(SemanticConventions.OperationType, "receive"),
            new(SemanticConventions.OperationName, "fetch"),
        ];
        _outcomeTags = new Dictionary<string, KeyValuePair<string, object?>[]>(StringComparer.Ordinal);
        foreach (var outcome in new[] { JobOutcomes.Succeeded, JobOutcomes.Failed, JobOutcomes.TimedOut, JobOutcomes.Interrupted })
        {
            _outcomeTags[outcome] =
            [
                .. _tableTags,
                new(SemanticConventions.OperationName, Process),
                new(SemanticConventions.Outcome, outcome),
            ];
        }
    }

    public string Table { get; }

    public KeyValuePair<string, object?>[] FetchTags { get; }

    /// <summary>
    /// Starts the span of one attempt, or returns null when nobody listens. With a stored trace context
    /// (<paramref name="traceParent"/>), the span is that context's child or a new trace linked to it, as
    /// <paramref name="mode"/> decides; without one, a new trace. It never joins whatever activity is ambient on the
    /// runner's thread.
    /// </summary>
    /// <param name="jobId">The job's id (<c>messaging.message.id</c>).</param>
    /// <param name="attempt">The attempt, counting from 1.</param>
    /// <param name="workerId">This process's worker id.</param>
    /// <param name="traceParent">The W3C traceparent stored with the row, or null.</param>
    /// <param name="traceState">The W3C tracestate stored with the row, or null.</param>
    /// <param name="mode">Child, link or none.</param>
    /// <param name="waited">How long ago the job was created (for <see cref="JobTraceMode.Auto"/>).</param>
    /// <param name="childWindow">The longest <paramref name="waited"/> for which <see cref="JobTraceMode.Auto"/> picks a child.</param>
    public Activity? StartAttempt(Guid jobId, int attempt, Guid workerId, string? traceParent, string? traceState, JobTraceMode mode, TimeSpan waited, TimeSpan childWindow)
    {
        if (!EfJobsTelemetry.ActivitySource.HasListeners())
        {
            return null;
        }

        var parent = default(ActivityContext);
        ActivityLink[]? links = null;
        if (mode != JobTraceMode.None && traceParent is not null && ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var enqueued))
        {
            var child = mode == JobTraceMode.Child || (mode == JobTraceMode.Auto && attempt <= 1 && waited <= childWindow);
            if (child)
            {
                parent = enqueued;
            }
            else
            {
                links = [new ActivityLink(enqueued)];
            }
        }

        // The runner's loops may carry whatever activity was current when the host started: an attempt never joins it.
        var ambient = Activity.Current;
        Activity.Current = null;
        var activity = EfJobsTelemetry.ActivitySource.StartActivity(_spanName, ActivityKind.Consumer, parent, tags: null, links);
        if (activity is null)
        {
            Activity.Current = ambient;
            return null;
        }

        if (activity.IsAllDataRequested)
        {
            activity.SetTag(SemanticConventions.MessagingSystem, EfJobsTelemetry.MessagingSystem);
            activity.SetTag(SemanticConventions.OperationType, Process);
            activity.SetTag(SemanticConventions.OperationName, Process);
            activity.SetTag(SemanticConventions.DestinationName, Table);
            activity.SetTag(SemanticConventions.MessageId, jobId.ToString());
            activity.SetTag(SemanticConventions.Attempt, attempt);
            activity.SetTag(SemanticConventions.WorkerId, workerId.ToString());
        }

        return activity;
    }

    /// <summary>Records the end of an attempt: its span's outcome and status, its duration and the attempt counter.</summary>
    public void RecordAttempt(Activity? activity, string outcome, TimeSpan duration, Exception? exception = null)
    {
        var errorType = outcome == JobOutcomes.TimedOut ? "timeout" : exception?.GetType().FullName;
        if (activity is not null)
        {
            activity.SetTag(SemanticConventions.Outcome, outcome);
            if (errorType is not null)
            {
                activity.SetTag(SemanticConventions.ErrorType, errorType);
                activity.SetStatus(ActivityStatusCode.Error, exception?.Message ?? outcome);
            }
        }

        var tags = _outcomeTags[outcome];
        if (EfJobsTelemetry.ProcessDuration.Enabled)
        {
            if (errorType is null)
            {
                EfJobsTelemetry.ProcessDuration.Record(duration.TotalSeconds, tags);
            }
            else
            {
                EfJobsTelemetry.ProcessDuration.Record(duration.TotalSeconds, [.. tags, new(SemanticConventions.ErrorType, errorType)]);
            }
        }

        if (EfJobsTelemetry.Attempts.Enabled)
        {
            EfJobsTelemetry.Attempts.Add(1, tags);
        }
    }

    /// <summary>Records how long a job waited from due (the later of run_at and created_at) to its start.</summary>
    public void RecordPickupDelay(TimeSpan delay)
    {
        if (EfJobsTelemetry.PickupDelay.Enabled)
        {
            EfJobsTelemetry.PickupDelay.Record(Math.Max(0d, delay.TotalSeconds), _tableTags);
        }
    }
}
