using System.Text.Json.Serialization;

namespace EfJobs;

/// <summary>
/// The state of a job row, stored as the PostgreSQL enum <c>job_status</c> with IHP's labels
/// (<c>job_status_not_started</c>, <c>job_status_running</c>, ...). See <see cref="JobStatusLabels"/>.
/// In JSON (ASP.NET, System.Text.Json) it is the label too, through <see cref="JobStatusJsonConverter"/>.
/// </summary>
[JsonConverter(typeof(JobStatusJsonConverter))]
public enum JobStatus
{
    /// <summary>Enqueued and waiting for its <see cref="JobBase.RunAt"/>. Label <c>job_status_not_started</c>.</summary>
    NotStarted,

    /// <summary>Locked by a worker that is performing it. Label <c>job_status_running</c>.</summary>
    Running,

    /// <summary>Failed on its last allowed attempt; it will not run again. Label <c>job_status_failed</c>.</summary>
    Failed,

    /// <summary>Hit its timeout on its last allowed attempt; it will not run again. Label <c>job_status_timed_out</c>.</summary>
    TimedOut,

    /// <summary>Performed successfully. Label <c>job_status_succeeded</c>.</summary>
    Succeeded,

    /// <summary>Failed or timed out with attempts left; it runs again at <see cref="JobBase.RunAt"/>. Label <c>job_status_retry</c>.</summary>
    Retry,
}
