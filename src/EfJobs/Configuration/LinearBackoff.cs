namespace EfJobs;

/// <summary>The same delay after every attempt. Create it with <see cref="BackoffStrategy.Linear"/>.</summary>
public sealed class LinearBackoff : BackoffStrategy
{
    internal LinearBackoff(TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(delay, TimeSpan.Zero);
        DelayPerAttempt = delay;
    }

    /// <summary>The delay used after every attempt.</summary>
    public TimeSpan DelayPerAttempt { get; }

    /// <inheritdoc />
    public override TimeSpan Delay(int attempts) => DelayPerAttempt;

    /// <inheritdoc />
    public override string ToString() => $"Linear({DelayPerAttempt})";
}
