namespace EfJobs.Model;

/// <summary>
/// The filters of the two partial indexes the model adds to every job table. They live with the model, which creates
/// the indexes; the queue's statements repeat them word for word, so that the planner proves a statement's WHERE
/// implies the filter and uses the index.
/// </summary>
internal static class JobIndexFilters
{
    /// <summary>
    /// Pending rows: the pending condition without its time test, so that the fetch's WHERE implies it and finished
    /// rows never enter the index.
    /// </summary>
    public const string Pending = "(status = 'job_status_not_started' OR status = 'job_status_retry') AND locked_by IS NULL";

    /// <summary>Running rows, which stale recovery, heartbeats and the dead-worker check search.</summary>
    public const string Running = "status = 'job_status_running'";
}
