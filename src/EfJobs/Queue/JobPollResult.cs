namespace EfJobs.Queue;

/// <summary>What one poll of a job table found.</summary>
/// <param name="TriggersHealthy">Whether both notification triggers were in place (after any repair).</param>
/// <param name="TriggersRepaired">Whether the poll re-installed them.</param>
/// <param name="NextDue">Time until the earliest pending job is due; zero or less when one is due, null when none.</param>
internal readonly record struct JobPollResult(bool TriggersHealthy, bool TriggersRepaired, TimeSpan? NextDue);
