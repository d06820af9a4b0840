namespace EfJobs;

/// <summary>A delay that doubles with each attempt, capped at 24 hours. Create it with <see cref="BackoffStrategy.Exponential"/>.</summary>
public sealed class ExponentialBackoff : BackoffStrategy
{
    /// <summary>The longest delay, as in IHP.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromHours(24);

    // IHP caps the exponent at 20 so that the multiplication cannot overflow.
    private const int MaxExponent = 20;

    internal ExponentialBackoff(TimeSpan baseDelay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(baseDelay, TimeSpan.Zero);
        BaseDelay = baseDelay;
    }

    /// <summary>The delay before doubling.</summary>
    public TimeSpan BaseDelay { get; }

    /// <inheritdoc />
    public override TimeSpan Delay(int attempts)
    {
        var exponent = Math.Clamp(attempts, 0, MaxExponent);
        var seconds = BaseDelay.TotalSeconds * Math.Pow(2, exponent);
        return seconds >= MaxDelay.TotalSeconds ? MaxDelay : TimeSpan.FromSeconds(seconds);
    }

    /// <inheritdoc />
    public override string ToString() => $"Exponential({BaseDelay})";
}
