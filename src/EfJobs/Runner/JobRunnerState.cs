namespace EfJobs.Runner;

/// <summary>What the runner health check reads off the runner.</summary>
/// <param name="Running">Started and not stopping.</param>
/// <param name="ListenerConnected">The LISTEN connection is up (notifications arrive, the liveness lock is held).</param>
/// <param name="StoppedLoops">Loops that should run and do not (the listener's included).</param>
/// <param name="TablesWithoutTriggers">Job tables whose last poll found no notification triggers: their jobs wait for a poll.</param>
internal sealed record JobRunnerState(bool Running, bool ListenerConnected, IReadOnlyList<string> StoppedLoops, IReadOnlyList<string> TablesWithoutTriggers);
