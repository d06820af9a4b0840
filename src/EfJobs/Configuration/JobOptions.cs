namespace EfJobs;

/// <summary>How the runner treats one job type. The defaults are IHP's, except where noted.</summary>
public sealed class JobOptions
{
    /// <summary>How many times a job may run before it is marked failed (or timed out).</summary>
    /// <value>Default 10. At least 1.</value>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>
    /// How long one attempt may run. At the deadline the handler's token is cancelled and the attempt is recorded as
    /// timed out (retried while attempts are left); the slot stays taken until the handler really returns.
    /// </summary>
    /// <value>Default null: no timeout. Positive when set.</value>
    public TimeSpan? Timeout { get; set; }

    /// <summary>
    /// How often the runner looks for due jobs when no notification came (plus up to 2 s of jitter). Notifications
    /// and a timer at the next scheduled job do the real work; the poll is the safety net.
    /// </summary>
    /// <value>Default 60 seconds. Positive.</value>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How many jobs of this type one process runs at once.</summary>
    /// <value>Default 16. At least 1.</value>
    public int MaxConcurrency { get; set; } = 16;

    /// <summary>The delay before a failed or timed-out job runs again.</summary>
    /// <value>Default linear, 30 seconds.</value>
    public BackoffStrategy Backoff { get; set; } = BackoffStrategy.Linear(TimeSpan.FromSeconds(30));

    /// <summary>
    /// How long a running job may go without a heartbeat before another process treats its worker as dead and
    /// returns it to the queue. Stale recovery runs at start and every half of this. Null turns recovery off.
    /// </summary>
    /// <value>Default 10 minutes. Positive when set.</value>
    public TimeSpan? StaleJobTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How often the process refreshes locked_at of the jobs it is running (one statement per type per beat), so that
    /// a long, healthy job is never taken for a stale one. Beyond IHP, which has no heartbeat.
    /// </summary>
    /// <value>Default null: a quarter of <see cref="StaleJobTimeout"/>, at most 30 seconds. Positive when set, and shorter than <see cref="StaleJobTimeout"/>.</value>
    public TimeSpan? HeartbeatInterval { get; set; }

    /// <summary>
    /// The most jobs one fetch takes. The runner asks for as many as it has free slots, up to this. Set 1 to fetch as
    /// IHP does, one job per statement.
    /// </summary>
    /// <value>Default 100. At least 1.</value>
    public int MaxFetchBatchSize { get; set; } = 100;

    /// <summary>
    /// How many jobs the runner may hold fetched, beyond those running, so that a freed slot starts its next job
    /// without waiting for a round trip to the database (graphile-worker's local queue, Que's buffer). The buffer is
    /// refilled in batches of about half its size. Buffered jobs are locked to this worker (status running, attempt
    /// counted) and covered by its heartbeat; on shutdown they are released for another worker.
    /// </summary>
    /// <remarks>
    /// Left null, the runner sizes the buffer itself, per job type, from what it measures: as many jobs as its slots
    /// finish during one fetch (<see cref="MaxConcurrency"/> x mean fetch time / mean job time, moving averages),
    /// at most <see cref="AutomaticPrefetchLimit"/>. Many short jobs get a buffer that hides the fetch's round trip;
    /// jobs that take longer than a fetch get none, so no process hoards jobs while another sits idle. It starts at 0
    /// until the first jobs have finished. Set 0 for IHP's behaviour (fetch only for free slots), or a fixed size.
    /// </remarks>
    /// <value>Default null: sized automatically, between 0 and <see cref="AutomaticPrefetchLimit"/>. At least 0 when set.</value>
    public int? PrefetchCount { get; set; }

    /// <summary>The largest buffer an automatic <see cref="PrefetchCount"/> grows to: two fetches of <see cref="MaxFetchBatchSize"/>.</summary>
    public int AutomaticPrefetchLimit => 2 * MaxFetchBatchSize;

    /// <summary>The most jobs the buffer may hold: <see cref="PrefetchCount"/> when set, else <see cref="AutomaticPrefetchLimit"/>.</summary>
    internal int MaxPrefetch => PrefetchCount ?? AutomaticPrefetchLimit;

    /// <summary>
    /// Whether successes are written in batches (one UPDATE for all jobs that finished while the previous write was in
    /// flight) instead of one UPDATE per job as IHP does.
    /// </summary>
    /// <value>Default true.</value>
    public bool BatchCompletions { get; set; } = true;

    /// <summary>
    /// The longest wait .NET's timers accept (<c>uint.MaxValue - 1</c> milliseconds, about 49.7 days): every
    /// <see cref="TimeSpan"/> option is a timer's period somewhere, so each must fit.
    /// </summary>
    internal static readonly TimeSpan MaxTimerDelay = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    internal TimeSpan EffectiveHeartbeatInterval =>
        HeartbeatInterval ?? (StaleJobTimeout is { } stale
            ? TimeSpan.FromTicks(Math.Min(stale.Ticks / 4, TimeSpan.FromSeconds(30).Ticks))
            : TimeSpan.FromSeconds(30));

    /// <summary>Returns the first invalid setting as a message that names it, or null when all are valid.</summary>
    internal string? Validate()
    {
        if (MaxAttempts < 1)
        {
            return $"{nameof(MaxAttempts)} must be at least 1 (was {MaxAttempts}).";
        }

        if (Timeout is { } timeout && (timeout <= TimeSpan.Zero || timeout > MaxTimerDelay))
        {
            return $"{nameof(Timeout)} must be positive and at most {MaxTimerDelay} (49.7 days, the longest .NET timer), or null (was {timeout}).";
        }

        if (PollInterval <= TimeSpan.Zero || PollInterval > MaxTimerDelay - TimeSpan.FromSeconds(2))
        {
            return $"{nameof(PollInterval)} must be positive and at most {MaxTimerDelay - TimeSpan.FromSeconds(2)} (the longest .NET timer less the poll's 2 s of jitter) (was {PollInterval}).";
        }

        if (MaxConcurrency < 1)
        {
            return $"{nameof(MaxConcurrency)} must be at least 1 (was {MaxConcurrency}).";
        }

        if (Backoff is null)
        {
            return $"{nameof(Backoff)} must be set.";
        }

        if (StaleJobTimeout is { } stale && (stale <= TimeSpan.Zero || stale > MaxTimerDelay))
        {
            return $"{nameof(StaleJobTimeout)} must be positive and at most {MaxTimerDelay} (49.7 days, the longest .NET timer), or null (was {stale}).";
        }

        if (HeartbeatInterval is { } beat && (beat <= TimeSpan.Zero || beat > MaxTimerDelay || (StaleJobTimeout is { } s && beat >= s)))
        {
            return $"{nameof(HeartbeatInterval)} must be positive and shorter than {nameof(StaleJobTimeout)} (was {beat}).";
        }

        if (MaxFetchBatchSize < 1)
        {
            return $"{nameof(MaxFetchBatchSize)} must be at least 1 (was {MaxFetchBatchSize}).";
        }

        if (PrefetchCount is < 0)
        {
            return $"{nameof(PrefetchCount)} must be at least 0 (was {PrefetchCount}).";
        }

        return null;
    }
}
