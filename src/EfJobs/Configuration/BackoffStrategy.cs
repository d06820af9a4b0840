namespace EfJobs;

/// <summary>
/// How long a failed or timed-out job waits before its next attempt (IHP's <c>BackoffStrategy</c> and <c>backoffDelay</c>).
/// </summary>
public abstract class BackoffStrategy
{
    private protected BackoffStrategy()
    {
    }

    /// <summary>The same delay after every attempt (IHP's <c>LinearBackoff</c>; IHP's default is 30 seconds).</summary>
    /// <param name="delay">The delay; positive.</param>
    public static BackoffStrategy Linear(TimeSpan delay) => new LinearBackoff(delay);

    /// <summary>
    /// A delay that doubles with each attempt, capped at 24 hours (IHP's <c>ExponentialBackoff</c>):
    /// <c>min(24 h, baseDelay * 2^min(attempts, 20))</c>.
    /// </summary>
    /// <param name="baseDelay">The delay before doubling; positive.</param>
    public static BackoffStrategy Exponential(TimeSpan baseDelay) => new ExponentialBackoff(baseDelay);

    /// <summary>The delay before the next attempt of a job that has run <paramref name="attempts"/> times.</summary>
    public abstract TimeSpan Delay(int attempts);
}
