namespace EfJobs;

/// <summary>
/// How the activity of an attempt relates to the trace that enqueued the job (the W3C trace context stored with the
/// row when the job type stores it, see <c>StoreTraceContext()</c>).
/// </summary>
public enum JobTraceMode
{
    /// <summary>
    /// A child of the enqueuing span when it is the job's first attempt and it starts within
    /// <see cref="EfJobsOptions.TraceChildWindow"/> of the job's creation; otherwise (retries, scheduled jobs, long
    /// queues) the root of a new trace with a link to the enqueuing span, so a trace never spans hours of waiting.
    /// </summary>
    Auto,

    /// <summary>Always a child of the enqueuing span, whatever the attempt and however long the job waited.</summary>
    Child,

    /// <summary>Always the root of a new trace with a link to the enqueuing span (Ruby ActiveJob's default).</summary>
    Link,

    /// <summary>The root of a new trace with no relation to the enqueuing span; the stored context is ignored.</summary>
    None,
}
