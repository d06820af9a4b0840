namespace EfJobs.Queue;

/// <summary>What a failed queue statement means for the runner, decided by <see cref="DatabaseErrors.Classify"/>.</summary>
internal enum DatabaseErrorKind
{
    /// <summary>The database could not be reached or dropped the connection: try again, the statement did nothing.</summary>
    Unavailable,

    /// <summary>The job table or the <c>job_status</c> type does not exist (yet): migrations have not been applied.</summary>
    SchemaMissing,

    /// <summary>The database answered with an error about the statement or its data (a constraint, a bad value, a right).</summary>
    Rejected,

    /// <summary>The database answered, but a returned row could not be read into the entity.</summary>
    Unreadable,

    /// <summary>The caller's token was cancelled.</summary>
    Cancelled,
}
