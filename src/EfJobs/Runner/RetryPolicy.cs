namespace EfJobs.Runner;

/// <summary>
/// The one retry policy of the runner: a delay that doubles per consecutive failure from <see cref="First"/> up to a
/// cap, with "equal jitter" (each delay is between half and all of the doubled value), so that workers that lost
/// the database together do not come back in lock-step.
/// </summary>
internal sealed class RetryPolicy(TimeSpan first, TimeSpan max)
{
    /// <summary>For statements whose retry is how the runner recovers from an outage: back within a second or two.</summary>
    public static readonly RetryPolicy Reconnect = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1.5));

    /// <summary>For writes and housekeeping, which may wait a little longer between tries.</summary>
    public static readonly RetryPolicy Write = new(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5));

    public TimeSpan First { get; } = first;

    public TimeSpan Max { get; } = max;

    /// <param name="failures">Consecutive failures so far, 0 for the first.</param>
    public TimeSpan Delay(int failures)
    {
        var doubled = Math.Min(Max.TotalMilliseconds, First.TotalMilliseconds * Math.Pow(2, Math.Min(failures, 30)));
        return TimeSpan.FromMilliseconds(doubled / 2 + (Random.Shared.NextDouble() * doubled / 2));
    }
}
