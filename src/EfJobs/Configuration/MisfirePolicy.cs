namespace EfJobs;

/// <summary>
/// What a recurring job does with ticks that were missed: ticks no process claimed within
/// <see cref="RecurringJobOptions.MisfireThreshold"/> of their time because every process was down, stopped or
/// stalled. Ticks claimed within the threshold are on time and always run, one job each.
/// </summary>
public enum MisfirePolicy
{
    /// <summary>The missed ticks together run once: one job for the most recent of them (Hangfire's "relaxed", Quartz's "fire once now"). The default.</summary>
    RunOnce,

    /// <summary>Missed ticks are dropped; the schedule goes on with its next tick.</summary>
    Skip,

    /// <summary>Each missed tick runs, the most recent <see cref="RecurringJobOptions.CatchUpLimit"/> of them at most (graphile-worker's backfill).</summary>
    CatchUp,
}
