namespace EfJobs.Runner;

/// <summary>
/// Wakes the producer when the earliest pending job falls due, so a scheduled job or a retry after its backoff starts
/// on time instead of at the next poll. One timer per type; setting it again replaces it.
/// </summary>
internal sealed class WakeTimer(Action wake, TimeProvider time, TimeSpan pollInterval) : IDisposable
{
    private static readonly TimeSpan MinimumDelay = TimeSpan.FromMilliseconds(25);
    private static readonly TimeSpan MaximumDueDelay = TimeSpan.FromMilliseconds(800);
    private ITimer? _timer;
    private bool _disposed;

    /// <summary>
    /// Sets the timer for <paramref name="next"/> (null: no pending job; the poll and notifications cover it). A job
    /// due already fell due after the fetch, or is locked by another transaction: wake soon, later for each wake-up in
    /// a row that fetched nothing (<paramref name="emptyWakes"/>), so such a row cannot make the producer spin.
    /// </summary>
    public void Set(TimeSpan? next, int emptyWakes)
    {
        if (next is not { } delay || delay >= pollInterval)
        {
            return;
        }

        var wakeIn = delay <= TimeSpan.Zero
            ? TimeSpan.FromTicks(Math.Min(MinimumDelay.Ticks << Math.Min(emptyWakes, 5), MaximumDueDelay.Ticks))
            : delay + TimeSpan.FromMilliseconds(5);
        var timer = time.CreateTimer(static state => ((Action)state!)(), wake, wakeIn, Timeout.InfiniteTimeSpan);
        lock (this)
        {
            if (_disposed)
            {
                timer.Dispose();
                return;
            }

            (_timer, timer) = (timer, _timer);
        }

        timer?.Dispose();
    }

    public void Dispose()
    {
        lock (this)
        {
            _disposed = true;
            _timer?.Dispose();
        }
    }
}
