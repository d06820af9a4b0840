namespace EfJobs.Runner;

/// <summary>How one attempt ended.</summary>
internal enum JobOutcomeKind
{
    /// <summary>The handler returned.</summary>
    Succeeded,

    /// <summary>The handler threw: a counted attempt, retried after the backoff while attempts are left.</summary>
    Failed,

    /// <summary>The attempt ran past <see cref="JobOptions.Timeout"/>: counted like a failure.</summary>
    TimedOut,

    /// <summary>A graceful stop cancelled the handler: the attempt is given back, not counted.</summary>
    Interrupted,
}
