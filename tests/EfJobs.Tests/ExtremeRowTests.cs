using EfJobs.Tests.Infrastructure;

namespace EfJobs.Tests;

/// <summary>
/// Rows another writer (IHP, plain SQL, a hand edit) left with extreme values in EfJobs' own columns (issue 12, input 4):
/// such a row fails on its own with a readable last_error and never blocks its table.
/// </summary>
public class ExtremeRowTests(TestDatabase database) : DatabaseTest(database)
{
    private static readonly BackoffStrategy ThirtySeconds = BackoffStrategy.Linear(TimeSpan.FromSeconds(30));

    private Task InsertAsync(string payload, string status, string attempts, string runAt = "now() - interval '1 hour'", string createdAt = "now() - interval '1 hour'", string lockedAt = "NULL", string lockedBy = "NULL") =>
        ExecuteAsync($"""
            INSERT INTO test_jobs ("Payload", status, attempts_count, run_at, created_at, locked_at, locked_by)
            VALUES ('{payload}', '{status}', {attempts}, {runAt}, {createdAt}, {lockedAt}, {lockedBy})
            """);

    [Theory]
    [InlineData("2147483647")]
    [InlineData("-1")]
    [InlineData("-2147483648")]
    public async Task A_row_whose_attempts_cannot_be_counted_is_failed_and_its_five_neighbours_are_fetched(string attempts)
    {
        await InsertAsync("corrupt", "job_status_retry", attempts);
        var normal = await AddTestJobsAsync(5);

        await using var db = CreateContext();
        var fetched = await db.FetchJobsAsync<TestJob>(WorkerA, 5);

        Assert.Equal(normal.Select(j => j.Id).Order(), fetched.Select(j => j.Id).Order());
        Assert.All(fetched, j => Assert.Equal(1, j.AttemptsCount));
        var lastError = await ScalarAsync<string>("SELECT last_error FROM test_jobs WHERE \"Payload\" = 'corrupt' AND status = 'job_status_failed' AND locked_by IS NULL");
        Assert.Contains($"attempts_count is {attempts}", lastError, StringComparison.Ordinal);
        Assert.Contains("Set attempts_count = 0", lastError, StringComparison.Ordinal);
        Assert.Empty(await db.FetchJobsAsync<TestJob>(WorkerA, 5));
    }

    [Fact]
    public async Task The_runner_runs_the_five_jobs_behind_a_row_at_the_attempts_limit()
    {
        await InsertAsync("corrupt", "job_status_retry", "2147483647");
        await using var host = await RunnerHost.StartAsync(Database);
        await AddTestJobsAsync(5);

        await Eventually.TrueAsync(
            async () => await ScalarAsync<long>("SELECT count(*) FROM test_jobs WHERE status = 'job_status_succeeded'") == 5,
            TimeSpan.FromSeconds(30),
            "the five normal jobs to succeed");
        Assert.Equal(5, host.Probe.TotalExecutions);
        Assert.Equal("job_status_failed", await ScalarAsync<string>("SELECT status::text FROM test_jobs WHERE \"Payload\" = 'corrupt'"));
        // 507 names OtherJob, which the test host does not register; any other warning would be about the corrupt row.
        Assert.DoesNotContain(host.Logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning && e.EventId != 507);
    }

    [Fact]
    public async Task Infinite_timestamps_neither_break_the_fetch_nor_the_next_wake_lookup()
    {
        await InsertAsync("past", "job_status_not_started", "0", runAt: "'-infinity'", createdAt: "'-infinity'");
        await InsertAsync("never", "job_status_not_started", "0", runAt: "'infinity'", createdAt: "'infinity'");

        await using var db = CreateContext();
        var next = await db.TimeUntilNextScheduledJobAsync<TestJob>();
        Assert.NotNull(next);
        Assert.True(next <= TimeSpan.Zero);

        var job = Assert.Single(await db.FetchJobsAsync<TestJob>(WorkerA, 5));
        Assert.Equal("past", job.Payload);
        Assert.True(await db.JobDidSucceedAsync(job, WorkerA));

        // Only the 'infinity' row is pending now: its wait is clamped to a value a timer can hold.
        var later = await db.TimeUntilNextScheduledJobAsync<TestJob>();
        Assert.Equal(TimeSpan.FromDays(1), later);
        Assert.Empty(await db.FetchJobsAsync<TestJob>(WorkerA, 5));
    }

    [Fact]
    public async Task A_running_row_locked_in_the_far_future_is_failed_by_stale_recovery()
    {
        await InsertAsync("future", "job_status_running", "1", lockedAt: "'infinity'", lockedBy: "gen_random_uuid()");
        await InsertAsync("ancient", "job_status_running", "1", lockedAt: "'-infinity'", lockedBy: "gen_random_uuid()");

        await using var db = CreateContext();
        Assert.Equal(2, await db.RecoverStaleJobsAsync<TestJob>(TimeSpan.FromMinutes(10), 10));
        Assert.Equal(2L, await ScalarAsync<long>("SELECT count(*) FROM test_jobs WHERE status = 'job_status_failed' AND locked_by IS NULL AND last_error IS NOT NULL"));
    }

    [Fact]
    public async Task A_job_at_the_highest_countable_attempt_runs_once_more_and_fails_without_overflow()
    {
        await InsertAsync("last", "job_status_retry", "2147483646");
        await using var db = CreateContext();
        var job = Assert.Single(await db.FetchJobsAsync<TestJob>(WorkerA, 5));
        Assert.Equal(int.MaxValue, job.AttemptsCount);
        Assert.True(await db.JobDidFailAsync(job, WorkerA, new InvalidOperationException("boom"), 10, ThirtySeconds));
        Assert.Equal("job_status_failed", await ScalarAsync<string>("SELECT status::text FROM test_jobs"));
    }
}
