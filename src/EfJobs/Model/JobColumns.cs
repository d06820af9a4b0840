namespace EfJobs.Model;

/// <summary>IHP's column names for the properties of <see cref="JobBase"/>.</summary>
internal static class JobColumns
{
    public const string Id = "id";
    public const string Status = "status";
    public const string LastError = "last_error";
    public const string AttemptsCount = "attempts_count";
    public const string LockedAt = "locked_at";
    public const string LockedBy = "locked_by";
    public const string RunAt = "run_at";
    public const string CreatedAt = "created_at";
    public const string UpdatedAt = "updated_at";
    public const string TraceParent = "trace_parent";
    public const string TraceState = "trace_state";
}
