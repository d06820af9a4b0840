namespace EfJobs.Runner;

/// <summary>What the executor reports of one attempt; the result writer turns it into a row update.</summary>
/// <param name="Kind">How the attempt ended.</param>
/// <param name="Duration">From the start of the attempt to its outcome.</param>
/// <param name="Error">For a failure: the text for last_error, already made safe (<see cref="Queue.JobErrorText"/>).</param>
/// <param name="StillRunning">For a timeout: the handler, which may not have returned yet; its slot stays taken until it does.</param>
internal sealed record JobOutcome(JobOutcomeKind Kind, TimeSpan Duration, string? Error = null, Task? StillRunning = null);
