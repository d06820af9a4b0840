namespace EfJobs.Runner;

/// <summary>
/// Which ticks of a schedule are due and which of them make a job: the misfire policy as a pure function of the
/// schedule's row and the clock, so it is tested without a database. The claim itself (<c>RecurringJobSql.ClaimTick</c>)
/// decides who gets a tick; this only decides which ticks to try.
/// </summary>
internal static class RecurringPlan
{
    /// <summary>
    /// The ticks to claim, oldest first: every tick in (<paramref name="lastTick"/> or <paramref name="since"/>,
    /// <paramref name="now"/>] that is on time (within <see cref="RecurringJobOptions.MisfireThreshold"/>), and of the
    /// missed ones within <see cref="RecurringJobOptions.MisfireGrace"/> as many of the most recent as the misfire
    /// policy runs. When the latest due tick is a missed one the policy drops, it comes last with WithJob false, so
    /// the claim moves last_tick past the dropped ticks and no later pass looks at them again.
    /// </summary>
    /// <remarks>
    /// Occurrences are read oldest first, as Cronos' next-occurrence rules define them (its descending read puts a
    /// skipped local time at the second before the change instead of at the change), keeping only the missed ticks
    /// the policy runs; the read is bounded by <see cref="RecurringJobOptions.MisfireGrace"/> and happens once per
    /// downtime, since the claim moves last_tick to the latest tick. Ticks are instants: on a daylight-saving change
    /// Cronos gives a skipped local time once, at the change, and an ambiguous one once, at its first occurrence, so
    /// each runs once.
    /// </remarks>
    public static List<(DateTimeOffset Tick, bool WithJob)> Due(RecurringSchedule schedule, DateTimeOffset? lastTick, DateTimeOffset since, DateTimeOffset now)
    {
        var after = lastTick is { } last && last > since ? last : since;
        var options = schedule.Options;
        var graceFrom = now - options.MisfireGrace;
        var lower = after > graceFrom ? after : graceFrom;
        var plan = new List<(DateTimeOffset Tick, bool WithJob)>();
        if (lower >= now)
        {
            return plan;
        }

        var onTimeFrom = now - options.MisfireThreshold;
        var missedToRun = options.Misfire switch
        {
            MisfirePolicy.Skip => 0,
            MisfirePolicy.CatchUp => options.CatchUpLimit,
            _ => 1,
        };
        DateTimeOffset? latest = null;
        var missed = new Queue<DateTimeOffset>();
        foreach (var occurrence in schedule.Expression.GetOccurrences(lower, now, schedule.TimeZone, fromInclusive: false, toInclusive: true))
        {
            var tick = occurrence.ToUniversalTime();
            latest = tick;
            if (tick >= onTimeFrom)
            {
                plan.Add((tick, true));
            }
            else if (missedToRun > 0)
            {
                if (missed.Count == missedToRun)
                {
                    missed.Dequeue();
                }

                missed.Enqueue(tick);
            }
        }

        plan.InsertRange(0, missed.Select(tick => (tick, true)));
        if (latest is { } newest && (plan.Count == 0 || plan[^1].Tick != newest))
        {
            plan.Add((newest, false));
        }

        return plan;
    }
}
