namespace EfJobs;

/// <summary>How one recurring job (<c>AddRecurring</c>) treats late ticks and overlapping runs.</summary>
public sealed class RecurringJobOptions
{
    /// <summary>What happens to ticks claimed later than <see cref="MisfireThreshold"/> after their time.</summary>
    /// <value>Default <see cref="MisfirePolicy.RunOnce"/>.</value>
    public MisfirePolicy Misfire { get; set; } = MisfirePolicy.RunOnce;

    /// <summary>
    /// How late a tick may be claimed and still count as on time (Quartz's misfireThreshold). On-time ticks run one
    /// job each, whatever <see cref="Misfire"/> says: a restart or a stalled process shorter than this loses nothing.
    /// </summary>
    /// <value>Default 1 minute. Positive, at most <see cref="MisfireGrace"/>.</value>
    public TimeSpan MisfireThreshold { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How old a missed tick may be and still run under <see cref="MisfirePolicy.RunOnce"/> or
    /// <see cref="MisfirePolicy.CatchUp"/>; older ones are dropped. After a week of downtime a nightly job runs once
    /// for last night, not for the night a week ago.
    /// </summary>
    /// <value>Default 1 day. At least <see cref="MisfireThreshold"/>, at most 366 days.</value>
    public TimeSpan MisfireGrace { get; set; } = TimeSpan.FromDays(1);

    /// <summary>The most missed ticks <see cref="MisfirePolicy.CatchUp"/> runs, the most recent ones; older ones are dropped.</summary>
    /// <value>Default 10. At least 1.</value>
    public int CatchUpLimit { get; set; } = 10;

    /// <summary>Whether a tick makes a job while the previous job of the schedule has not finished.</summary>
    /// <value>Default <see cref="OverlapPolicy.Allow"/>.</value>
    public OverlapPolicy Overlap { get; set; } = OverlapPolicy.Allow;

    /// <summary>Returns the first invalid setting as a message that names it, or null when all are valid.</summary>
    internal string? Validate()
    {
        if (!Enum.IsDefined(Misfire))
        {
            return $"{nameof(Misfire)} must be one of {string.Join(", ", Enum.GetNames<MisfirePolicy>())} (was {(int)Misfire}).";
        }

        if (!Enum.IsDefined(Overlap))
        {
            return $"{nameof(Overlap)} must be one of {string.Join(", ", Enum.GetNames<OverlapPolicy>())} (was {(int)Overlap}).";
        }

        if (MisfireThreshold <= TimeSpan.Zero)
        {
            return $"{nameof(MisfireThreshold)} must be positive (was {MisfireThreshold}).";
        }

        if (MisfireGrace < MisfireThreshold || MisfireGrace > TimeSpan.FromDays(366))
        {
            return $"{nameof(MisfireGrace)} must be at least {nameof(MisfireThreshold)} ({MisfireThreshold}) and at most 366 days (was {MisfireGrace}).";
        }

        if (CatchUpLimit < 1)
        {
            return $"{nameof(CatchUpLimit)} must be at least 1 (was {CatchUpLimit}).";
        }

        return null;
    }
}
