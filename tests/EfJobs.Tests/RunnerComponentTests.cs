using EfJobs.Model;
using EfJobs.Queue;
using EfJobs.Runner;
using EfJobs.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace EfJobs.Tests;

/// <summary>
/// The runner's components driven without PostgreSQL: a fake of the queue statements (<see cref="IJobStore{TJob}"/>)
/// and <see cref="FakeTimeProvider"/>, so retries and timers run in milliseconds.
/// </summary>
public class RunnerComponentTests
{
    private static readonly JobTable Table = TableOf();

    private readonly CountingTime _time = new();
    private readonly CapturingLoggerProvider _logs = new();

    [Fact]
    public async Task Result_writer_retries_a_failing_success_write_until_it_works_and_keeps_the_job_owned_meanwhile()
    {
        var store = new FakeStore { SucceedFailures = 5 };
        var owned = new OwnedJobs<TestJob>();
        var job = Job();
        owned.Add(job);
        var writer = new JobResultWriter<TestJob>(store, owned, Context(), new JobOptions { BatchCompletions = false }, maxBacklog: 4);
        writer.Start();

        var write = writer.WriteAsync(job, new JobOutcome(JobOutcomeKind.Succeeded, TimeSpan.Zero));
        for (var failures = 1; failures <= 5; failures++)
        {
            var expected = failures;
            await UntilAsync(() => store.SucceedCalls == expected && _time.TimersCreated == expected, $"success write {expected} and its backoff");
            Assert.False(write.IsCompleted);
            Assert.True(owned.Contains(job.Id), "a job whose result is not written yet stays owned (the heartbeat keeps it)");
            _time.Advance(TimeSpan.FromSeconds(5)); // past the write policy's longest delay
        }

        await UntilAsync(() => write.IsCompleted, "the write to complete");
        await write;
        Assert.Equal(6, store.SucceedCalls);
        Assert.False(owned.Contains(job.Id));
        Assert.Equal(5, _logs.Entries.Count(e => e.EventId == 501));
    }

    [Fact]
    public async Task Result_writer_records_an_attempt_whose_error_text_PostgreSQL_rejects_with_a_text_it_accepts()
    {
        var store = new FakeStore { RejectFirstFailure = true };
        var owned = new OwnedJobs<TestJob>();
        var job = Job();
        owned.Add(job);
        var writer = new JobResultWriter<TestJob>(store, owned, Context(), new JobOptions(), maxBacklog: 4);

        await writer.WriteAsync(job, new JobOutcome(JobOutcomeKind.Failed, TimeSpan.Zero, "System.Exception: the real text"));

        Assert.Equal(2, store.FailTexts.Count);
        Assert.Equal("System.Exception: the real text", store.FailTexts[0]);
        Assert.StartsWith("EfJobs could not write this attempt's error text (SQLSTATE 22021); its start: System.Exception: the real text", store.FailTexts[1], StringComparison.Ordinal);
        Assert.False(owned.Contains(job.Id));
        Assert.Contains(_logs.Entries, e => e.EventId == 502);
    }

    [Fact]
    public async Task Result_writer_retries_a_failure_write_while_the_database_is_away_and_never_drops_the_job()
    {
        var store = new FakeStore { FailUnavailable = 3 };
        var owned = new OwnedJobs<TestJob>();
        var job = Job();
        owned.Add(job);
        var writer = new JobResultWriter<TestJob>(store, owned, Context(), new JobOptions(), maxBacklog: 4);

        var write = writer.WriteAsync(job, new JobOutcome(JobOutcomeKind.TimedOut, TimeSpan.Zero));
        for (var failures = 1; failures <= 3; failures++)
        {
            var expected = failures;
            await UntilAsync(() => _time.TimersCreated == expected, $"the backoff after failure {expected}");
            Assert.False(write.IsCompleted);
            Assert.True(owned.Contains(job.Id));
            _time.Advance(TimeSpan.FromSeconds(5));
        }

        await UntilAsync(() => write.IsCompleted, "the write to complete");

        await write;
        Assert.Equal(4, store.FailTexts.Count);
        Assert.All(store.FailTexts, t => Assert.Equal(JobErrorText.TimeoutReached, t));
        Assert.Equal([JobStatus.TimedOut], store.FinalStatuses.Distinct());
        Assert.False(owned.Contains(job.Id));
    }

    [Fact]
    public async Task Abandoned_result_writer_gives_up_and_leaves_the_job_owned_for_the_stop_to_give_back()
    {
        var store = new FakeStore { SucceedFailures = int.MaxValue };
        var owned = new OwnedJobs<TestJob>();
        var job = Job();
        owned.Add(job);
        var writer = new JobResultWriter<TestJob>(store, owned, Context(), new JobOptions { BatchCompletions = false }, maxBacklog: 4);

        var write = writer.WriteAsync(job, new JobOutcome(JobOutcomeKind.Succeeded, TimeSpan.Zero));
        await UntilAsync(() => store.SucceedCalls >= 1, "the first write");
        writer.Abandon();

        await write.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(owned.Contains(job.Id));
    }

    [Fact]
    public void Wake_timer_fires_at_the_next_due_time_once_and_a_later_Set_replaces_the_earlier()
    {
        var wakes = 0;
        using var timer = new WakeTimer(() => wakes++, _time, TimeSpan.FromMinutes(1));

        timer.Set(TimeSpan.FromSeconds(10), emptyWakes: 0);
        _time.Advance(TimeSpan.FromSeconds(9.9));
        Assert.Equal(0, wakes);
        _time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Equal(1, wakes);
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, wakes);

        timer.Set(TimeSpan.FromSeconds(10), emptyWakes: 0);
        timer.Set(TimeSpan.FromSeconds(2), emptyWakes: 0);
        _time.Advance(TimeSpan.FromSeconds(2.1));
        Assert.Equal(2, wakes);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(2, wakes);
    }

    [Fact]
    public void Wake_timer_leaves_far_or_no_jobs_to_the_poll_and_backs_off_for_a_job_due_already()
    {
        var wakes = 0;
        using var timer = new WakeTimer(() => wakes++, _time, TimeSpan.FromMinutes(1));

        timer.Set(null, 0);
        timer.Set(TimeSpan.FromMinutes(2), 0);
        _time.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal(0, wakes);

        // Due already: 25 ms, doubling per empty wake-up in a row, at most 800 ms.
        timer.Set(TimeSpan.Zero, 0);
        _time.Advance(TimeSpan.FromMilliseconds(25));
        Assert.Equal(1, wakes);
        timer.Set(TimeSpan.FromSeconds(-1), 10);
        _time.Advance(TimeSpan.FromMilliseconds(799));
        Assert.Equal(1, wakes);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, wakes);
    }

    [Fact]
    public void Disposed_wake_timer_never_fires()
    {
        var wakes = 0;
        var timer = new WakeTimer(() => wakes++, _time, TimeSpan.FromMinutes(1));
        timer.Set(TimeSpan.FromSeconds(1), 0);
        timer.Dispose();
        timer.Set(TimeSpan.FromSeconds(1), 0);
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(0, wakes);
    }

    [Fact]
    public async Task Heartbeat_refreshes_exactly_the_owned_jobs_each_interval_and_nothing_when_none_is_owned()
    {
        var store = new FakeStore();
        var owned = new OwnedJobs<TestJob>();
        var heartbeat = new JobHeartbeat<TestJob>(store, owned, Context(), new JobOptions { HeartbeatInterval = TimeSpan.FromSeconds(10) });
        heartbeat.Start();
        try
        {
            await UntilAsync(() => _time.TimersCreated == 1, "the heartbeat's timer");
            _time.Advance(TimeSpan.FromSeconds(10));
            await Task.Delay(50);
            Assert.Empty(store.Heartbeats);

            var (a, b) = (Job(), Job());
            owned.Add(a);
            owned.Add(b);
            _time.Advance(TimeSpan.FromSeconds(10));
            await UntilAsync(() => store.Heartbeats.Count == 1, "the first beat");
            Assert.Equal(new[] { a.Id, b.Id }.Order(), store.Heartbeats.Single().Order());

            owned.Remove(a.Id);
            _time.Advance(TimeSpan.FromSeconds(10));
            await UntilAsync(() => store.Heartbeats.Count == 2, "the second beat");
            Assert.Equal([b.Id], store.Heartbeats.Last());
        }
        finally
        {
            await heartbeat.StopAsync();
        }
    }

    private static async Task UntilAsync(Func<bool> condition, string what) =>
        await Eventually.TrueAsync(() => Task.FromResult(condition()), TimeSpan.FromSeconds(10), what);

    private JobRunnerContext Context() =>
        new(new EfJobsOptions(), _time, new LoggerFactory([_logs]).CreateLogger("EfJobs"));

    private static TestJob Job() => new() { Id = Guid.NewGuid(), AttemptsCount = 1, Status = JobStatus.Running };

    private static JobTable TableOf()
    {
        // Model only: no connection is opened.
        using var db = new TestDbContext(TestDatabase.Options("Host=localhost;Database=unused"));
        return JobTables.Get<TestJob>(db);
    }

    /// <summary>The queue statements of one type, in memory, failing as told.</summary>
    private sealed class FakeStore : IJobStore<TestJob>
    {
        private int _succeedCalls;

        public int SucceedFailures { get; init; }

        public int FailUnavailable { get; set; }

        public bool RejectFirstFailure { get; set; }

        public int SucceedCalls => Volatile.Read(ref _succeedCalls);

        public List<string> FailTexts { get; } = [];

        public List<JobStatus> FinalStatuses { get; } = [];

        public System.Collections.Concurrent.ConcurrentQueue<Guid[]> Heartbeats { get; } = new();

        public JobTable Table => RunnerComponentTests.Table;

        public Task<IReadOnlyList<TestJob>> FetchAsync(int limit, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<TestJob>>([]);

        public Task<IReadOnlyList<TestJob>> SalvageAsync(IReadOnlyCollection<Guid> held, Action<Guid, int, Exception> unreadable, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<TestJob>>([]);

        public Task<int> SucceedAsync(IReadOnlyCollection<TestJob> jobs, CancellationToken cancellationToken)
        {
            var call = Interlocked.Increment(ref _succeedCalls);
            return call <= SucceedFailures
                ? Task.FromException<int>(new NpgsqlException("connection refused (fake)"))
                : Task.FromResult(jobs.Count);
        }

        public Task<bool> FailAsync(TestJob job, string lastError, JobStatus finalStatus, CancellationToken cancellationToken)
        {
            lock (FailTexts)
            {
                FailTexts.Add(lastError);
                FinalStatuses.Add(finalStatus);
                if (RejectFirstFailure)
                {
                    RejectFirstFailure = false;
                    return Task.FromException<bool>(new PostgresException("invalid byte sequence for encoding \"UTF8\": 0x00", "ERROR", "ERROR", "22021"));
                }

                if (FailUnavailable > 0)
                {
                    FailUnavailable--;
                    return Task.FromException<bool>(new NpgsqlException("connection refused (fake)"));
                }
            }

            return Task.FromResult(true);
        }

        public Task<int> HeartbeatAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken)
        {
            Heartbeats.Enqueue([.. ids]);
            return Task.FromResult(ids.Count);
        }

        public Task<int> GiveBackAsync(IReadOnlyCollection<Guid> interrupted, string reason, CancellationToken cancellationToken) => Task.FromResult(0);

        public Task<int> RescueStaleAsync(TimeSpan staleJobTimeout, CancellationToken cancellationToken) => Task.FromResult(0);

        public Task<TimeSpan?> TimeUntilNextDueAsync(CancellationToken cancellationToken) => Task.FromResult<TimeSpan?>(null);

        public Task<JobPollResult> PollAsync(bool repairTriggers, CancellationToken cancellationToken) => Task.FromResult(new JobPollResult(true, false, null));
    }

    /// <summary>A fake clock that counts the timers created on it, so a test advances it only once a delay is waiting.</summary>
    private sealed class CountingTime : FakeTimeProvider
    {
        private int _timers;

        public int TimersCreated => Volatile.Read(ref _timers);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Interlocked.Increment(ref _timers);
            return base.CreateTimer(callback, state, dueTime, period);
        }
    }
}
