using EfJobs.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace EfJobs.Tests;

public class RunnerTests(TestDatabase database) : DatabaseTest(database)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Rolled_back_job_never_runs_and_committed_one_is_woken_by_notify()
    {
        // The poll interval is an hour and the first poll is over: only a notification can wake the runner.
        await using var host = await RunnerHost.StartAsync(Database);
        await using (var db = CreateContext())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Add(new TestJob { Payload = "rolled back" });
            await db.SaveChangesAsync();
            await transaction.RollbackAsync();
        }

        await using (var db = CreateContext())
        {
            db.Add(new TestJob { Payload = "committed" });
            await db.SaveChangesAsync();
        }

        await WaitForAsync("SELECT count(*) = 1 FROM test_jobs WHERE status = 'job_status_succeeded'");
        Assert.Equal(1, host.Probe.TotalExecutions);
        Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM test_jobs"));
    }

    [Fact]
    public async Task Failing_job_is_retried_with_backoff_then_failed_with_the_exception_in_last_error()
    {
        await using var host = await RunnerHost.StartAsync(Database, o => o.MaxAttempts = 3);
        var job = (await AddTestJobsAsync(1, (j, _) => j.Payload = "fail")).Single();

        await WaitForAsync("SELECT count(*) = 1 FROM test_jobs WHERE status = 'job_status_failed'");
        var row = await RowAsync(job.Id);
        Assert.Equal(3, row.AttemptsCount);
        Assert.Equal(3, host.Probe.ExecutionsById[job.Id]);
        Assert.StartsWith("System.InvalidOperationException: payload asked to fail (attempt 3)", row.LastError, StringComparison.Ordinal);
        Assert.Contains("TestJobHandler.PerformAsync", row.LastError, StringComparison.Ordinal);
        var starts = host.Probe.Starts.Select(s => s.StartedAt).Order().ToList();
        Assert.All(starts.Zip(starts.Skip(1)), pair => Assert.True(pair.Second - pair.First >= TimeSpan.FromMilliseconds(90), "each retry waits for the backoff"));
    }

    [Fact]
    public async Task Job_that_fails_once_succeeds_on_retry()
    {
        await using var host = await RunnerHost.StartAsync(Database);
        var job = (await AddTestJobsAsync(1, (j, _) => j.Payload = "fail-once")).Single();
        await WaitForAsync("SELECT count(*) = 1 FROM test_jobs WHERE status = 'job_status_succeeded'");
        Assert.Equal(2, (await RowAsync(job.Id)).AttemptsCount);
    }

    [Fact]
    public async Task Timeout_cancels_the_handler_and_records_timed_out()
    {
        await using var host = await RunnerHost.StartAsync(Database, o => { o.Timeout = TimeSpan.FromMilliseconds(200); o.MaxAttempts = 2; });
        var job = (await AddTestJobsAsync(1, (j, _) => j.Payload = "sleep:60000")).Single();

        await WaitForAsync("SELECT count(*) = 1 FROM test_jobs WHERE status = 'job_status_timed_out'");
        var row = await RowAsync(job.Id);
        Assert.Equal(("Timeout reached", 2), (row.LastError, row.AttemptsCount));
        Assert.Null(row.LockedBy);
    }

    [Fact]
    public async Task Handler_ignoring_its_token_keeps_its_slot_and_cannot_overwrite_the_row()
    {
        await using var host = await RunnerHost.StartAsync(Database, o => { o.Timeout = TimeSpan.FromMilliseconds(200); o.MaxConcurrency = 1; o.MaxAttempts = 1; });
        var hanging = (await AddTestJobsAsync(1, (j, _) => { j.Payload = "hang:1500"; j.RunAt = DateTime.UtcNow.AddSeconds(-5); })).Single();
        var quick = (await AddTestJobsAsync(1, (j, _) => j.Payload = "ok")).Single();

        await WaitForAsync($"SELECT count(*) = 1 FROM test_jobs WHERE id = '{quick.Id}' AND status = 'job_status_succeeded'");
        var row = await RowAsync(hanging.Id);
        Assert.Equal((JobStatus.TimedOut, "Timeout reached"), (row.Status, row.LastError));
        Assert.Equal(1, host.Probe.MaxConcurrent);
        var starts = host.Probe.Starts.ToDictionary(s => s.JobId, s => s.StartedAt);
        Assert.True(starts[quick.Id] - starts[hanging.Id] >= TimeSpan.FromMilliseconds(1400), "the quick job waited for the hanging handler's slot");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    public async Task Concurrency_limit_holds_under_load(int limit)
    {
        await AddTestJobsAsync(2000, (j, _) => j.Payload = "sleep:1");
        await using var host = await RunnerHost.StartAsync(Database, o => o.MaxConcurrency = limit);

        await WaitForAsync("SELECT count(*) = 2000 FROM test_jobs WHERE status = 'job_status_succeeded'", TimeSpan.FromSeconds(120));
        Assert.Equal(limit, host.Probe.MaxConcurrent);
        Assert.Equal(2000, host.Probe.TotalExecutions);
    }

    [Fact]
    public async Task Two_runner_hosts_on_one_table_run_every_job_once()
    {
        var probe = new JobProbe();
        await using var first = await RunnerHost.StartAsync(Database, o => o.MaxConcurrency = 8, probe: probe);
        await using var second = await RunnerHost.StartAsync(Database, o => o.MaxConcurrency = 8, probe: probe);
        Assert.NotEqual(first.Runner.WorkerId, second.Runner.WorkerId);

        await AddTestJobsAsync(3000);
        await WaitForAsync("SELECT count(*) = 3000 FROM test_jobs WHERE status = 'job_status_succeeded'", TimeSpan.FromSeconds(120));

        Assert.Equal(3000, probe.ExecutionsById.Count);
        Assert.All(probe.ExecutionsById.Values, count => Assert.Equal(1, count));
    }

    [Fact]
    public async Task Heartbeat_keeps_a_long_job_from_being_rescued_and_run_twice()
    {
        await using var host = await RunnerHost.StartAsync(Database, o =>
        {
            o.StaleJobTimeout = TimeSpan.FromSeconds(1);
            o.HeartbeatInterval = TimeSpan.FromMilliseconds(200);
        });
        var job = (await AddTestJobsAsync(1, (j, _) => j.Payload = "sleep:3500")).Single();

        await WaitForAsync("SELECT count(*) = 1 FROM test_jobs WHERE status = 'job_status_succeeded'");
        Assert.Equal(1, host.Probe.ExecutionsById[job.Id]);
        Assert.Equal(1, (await RowAsync(job.Id)).AttemptsCount);
    }

    [Fact]
    public async Task Job_of_a_dead_worker_is_rescued_and_run()
    {
        var job = (await AddTestJobsAsync(1)).Single();
        await ExecuteAsync($"UPDATE test_jobs SET status = 'job_status_running', locked_by = '{WorkerB}', locked_at = now() - interval '5 seconds', attempts_count = 1");
        await using var host = await RunnerHost.StartAsync(Database, o => o.StaleJobTimeout = TimeSpan.FromSeconds(2));

        await WaitForAsync("SELECT count(*) = 1 FROM test_jobs WHERE status = 'job_status_succeeded'");
        Assert.Equal(2, (await RowAsync(job.Id)).AttemptsCount);
        Assert.True(host.Logs.Contains(301, "Recovered 1 stale job(s) of test_jobs"));
    }

    [Fact]
    public async Task Graceful_stop_finishes_quick_jobs_and_releases_the_rest_at_once()
    {
        var host = await RunnerHost.StartAsync(Database, shutdownTimeout: TimeSpan.FromSeconds(1));
        var quick = (await AddTestJobsAsync(1, (j, _) => j.Payload = "sleep:300")).Single();
        var slow = (await AddTestJobsAsync(1, (j, _) => j.Payload = "sleep:60000")).Single();
        await Eventually.TrueAsync(() => Task.FromResult(host.Probe.TotalExecutions == 2), Patience, "both jobs to start");

        await host.DisposeAsync();

        Assert.Equal(JobStatus.Succeeded, (await RowAsync(quick.Id)).Status);
        var released = await RowAsync(slow.Id);

        // An attempt interrupted by a graceful stop is given back, not counted: the job is as it was before its fetch.
        Assert.Equal(JobStatus.NotStarted, released.Status);
        Assert.Equal(0, released.AttemptsCount);
        Assert.Null(released.LockedBy);
        Assert.Null(released.LockedAt);
        Assert.StartsWith("Interrupted", released.LastError, StringComparison.Ordinal);
        Assert.True(await ScalarAsync<bool>($"SELECT run_at <= now() FROM test_jobs WHERE id = '{slow.Id}'"));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM test_jobs WHERE status = 'job_status_running'"));
    }

    [Fact]
    public async Task Killed_listen_connection_comes_back_and_the_next_job_runs_without_a_poll()
    {
        await using var host = await RunnerHost.StartAsync(Database);
        for (var kill = 0; kill < 3; kill++)
        {
            await ExecuteAsync($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'efjobs-listener-{host.Runner.WorkerId:N}'");
            await AddTestJobsAsync(1);
            await WaitForAsync($"SELECT count(*) = {kill + 1} FROM test_jobs WHERE status = 'job_status_succeeded'");
        }

        await host.WaitForListenerAsync(Database);
        Assert.True(host.Logs.Contains(401, "The LISTEN connection failed"));
    }

    [Fact]
    public async Task Scheduled_job_runs_at_its_time_not_at_the_next_poll()
    {
        await using var host = await RunnerHost.StartAsync(Database);
        var runAt = DateTime.UtcNow.AddSeconds(1.5);
        var job = (await AddTestJobsAsync(1, (j, _) => j.RunAt = runAt)).Single();

        await WaitForAsync("SELECT count(*) = 1 FROM test_jobs WHERE status = 'job_status_succeeded'");
        var started = host.Probe.Starts.Single().StartedAt;
        Assert.True(started >= runAt.AddMilliseconds(-50), $"started {started:O}, due {runAt:O}");
        Assert.Equal(job.Id, host.Probe.Starts.Single().JobId);
    }

    [Fact]
    public async Task Handler_gets_the_applications_scoped_DbContext()
    {
        await using var host = await RunnerHost.StartAsync(Database);
        await AddTestJobsAsync(1, (j, _) => j.Payload = "enqueue");
        await WaitForAsync("SELECT count(*) = 1 FROM other_jobs WHERE \"Number\" = 42");
    }

    [Fact]
    public async Task Drain_runs_every_due_job_and_returns()
    {
        using var host = RunnerHost.Build(Database, configureRunner: o => o.RunInHost = false);
        await host.StartAsync();
        await AddTestJobsAsync(50);
        await AddTestJobsAsync(1, (j, _) => j.Payload = "fail");
        await AddTestJobsAsync(1, (j, _) => j.RunAt = DateTime.UtcNow.AddHours(1));

        var ran = await host.Services.GetRequiredService<JobRunner>().DrainAsync();

        Assert.Equal(51, ran);
        Assert.Equal(50L, await ScalarAsync<long>("SELECT count(*) FROM test_jobs WHERE status = 'job_status_succeeded'"));
        Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM test_jobs WHERE status = 'job_status_retry' AND last_error LIKE '%payload asked to fail%'"));
        await host.StopAsync();
    }

    [Theory]
    [InlineData("MaxConcurrency")]
    [InlineData("MaxAttempts")]
    [InlineData("PollInterval")]
    [InlineData("Timeout")]
    [InlineData("HeartbeatInterval")]
    public async Task Bad_option_stops_the_host_at_start_naming_the_option(string option)
    {
        using var host = RunnerHost.Build(Database, o =>
        {
            switch (option)
            {
                case "MaxConcurrency": o.MaxConcurrency = 0; break;
                case "MaxAttempts": o.MaxAttempts = -1; break;
                case "PollInterval": o.PollInterval = TimeSpan.Zero; break;
                case "Timeout": o.Timeout = TimeSpan.FromSeconds(-1); break;
                case "HeartbeatInterval": o.HeartbeatInterval = TimeSpan.FromHours(1); break;
            }
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains($"JobOptions of TestJob: {option}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_triggers_are_reported_and_jobs_still_run_by_polling()
    {
        await ExecuteAsync(Notifications.NotificationTriggerSql.Drop("test_jobs"));
        try
        {
            await using var host = await RunnerHost.StartAsync(Database, o => o.PollInterval = TimeSpan.FromMilliseconds(300));
            await AddTestJobsAsync(1);
            await WaitForAsync("SELECT count(*) = 1 FROM test_jobs WHERE status = 'job_status_succeeded'");
            Assert.True(host.Logs.Contains(402, "dotnet ef database update"));
            await using var db = CreateContext();
            Assert.False(await db.NotificationTriggersHealthyAsync<TestJob>());
        }
        finally
        {
            await ExecuteAsync(Notifications.NotificationTriggerSql.Create("test_jobs"));
        }
    }

    [Fact]
    public async Task RepairTriggers_reinstalls_missing_triggers()
    {
        await ExecuteAsync(Notifications.NotificationTriggerSql.Drop("test_jobs"));
        await using var host = await RunnerHost.StartAsync(Database, configureRunner: o => o.RepairTriggers = true);
        await using var db = CreateContext();
        await Eventually.TrueAsync(() => db.NotificationTriggersHealthyAsync<TestJob>(), Patience, "the triggers to be repaired");
        Assert.True(host.Logs.Contains(403, "re-installed"));
    }

    [Theory]
    [InlineData(100)]
    [InlineData(1)]
    public async Task A_row_that_cannot_be_read_fails_alone_and_its_neighbours_run_once(int fetchBatch)
    {
        // Sorted first, so it shares a fetch with its neighbours; created_at in the year 20000 does not fit a DateTime.
        await ExecuteAsync("INSERT INTO test_jobs (id, \"Payload\", created_at, run_at) VALUES (gen_random_uuid(), 'unreadable', '20000-01-01', now() - interval '1 hour')");
        await AddTestJobsAsync(10, (j, _) => j.RunAt = DateTime.UtcNow.AddMinutes(-1));
        await using var host = await RunnerHost.StartAsync(Database, o => { o.MaxAttempts = 3; o.MaxFetchBatchSize = fetchBatch; });

        await WaitForAsync("SELECT count(*) = 10 FROM test_jobs WHERE status = 'job_status_succeeded'");
        await WaitForAsync("SELECT count(*) = 1 FROM test_jobs WHERE status = 'job_status_failed'");
        Assert.Equal(10, host.Probe.TotalExecutions);
        Assert.All(host.Probe.ExecutionsById.Values, count => Assert.Equal(1, count));
        var failed = await ScalarAsync<string[]>("SELECT ARRAY[attempts_count::text, last_error] FROM test_jobs WHERE status = 'job_status_failed'");
        Assert.Equal("3", failed[0]);
        Assert.StartsWith("EfJobs could not read this row as TestJob: ", failed[1], StringComparison.Ordinal);
        Assert.True(host.Logs.Contains(306, "cannot be read"));
        Assert.False(host.Logs.Entries.Any(e => e.EventId == 300), "an unreadable row is not a failed fetch to back off from");
    }

    [Fact]
    public async Task Successes_the_database_cannot_take_yet_hold_their_slots_once_the_backlog_is_full()
    {
        // MaxConcurrency 2 and MaxFetchBatchSize 1: the completer holds at most 2 unrecorded successes.
        await AddTestJobsAsync(30, (j, _) => j.Payload = "sleep:200");
        await using var host = await RunnerHost.StartAsync(Database, o => { o.MaxConcurrency = 2; o.MaxFetchBatchSize = 1; });
        await WaitForAsync("SELECT count(*) = 2 FROM test_jobs WHERE status = 'job_status_running'");

        // Row locks on the running jobs make their success UPDATE wait, as a slow or locked database would.
        await using var connection = await Database.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand("SELECT id FROM test_jobs WHERE status = 'job_status_running' FOR UPDATE", connection, transaction))
        {
            await command.ExecuteNonQueryAsync();
        }

        var startedBefore = host.Probe.TotalExecutions;
        await Task.Delay(TimeSpan.FromSeconds(2));
        var startedWhileBlocked = host.Probe.TotalExecutions - startedBefore;
        await transaction.RollbackAsync();

        // Unbounded, the 2 slots would have run about 20 more jobs into the backlog; bounded, 2 slots plus 2 queued.
        Assert.InRange(startedWhileBlocked, 1, 4);
        await WaitForAsync("SELECT count(*) = 30 FROM test_jobs WHERE status = 'job_status_succeeded'");
        Assert.All(host.Probe.ExecutionsById.Values, count => Assert.Equal(1, count));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(6)]
    public async Task A_retry_that_falls_due_right_after_an_empty_fetch_still_runs_without_a_poll(int backoffMs)
    {
        // The poll interval is an hour. With a backoff of a few milliseconds the retry often falls due between the fetch
        // that found nothing and the look for the next scheduled job: only that look can wake the runner for it.
        await using var host = await RunnerHost.StartAsync(Database, o => { o.MaxAttempts = 30; o.Backoff = BackoffStrategy.Linear(TimeSpan.FromMilliseconds(backoffMs)); });
        var job = (await AddTestJobsAsync(1, (j, _) => j.Payload = "fail")).Single();

        await WaitForAsync("SELECT count(*) = 1 FROM test_jobs WHERE status = 'job_status_failed'");
        Assert.Equal(30, host.Probe.ExecutionsById[job.Id]);
    }

    private Task WaitForAsync(string condition, TimeSpan? within = null) =>
        Eventually.TrueAsync(() => ScalarAsync<bool>(condition), within ?? Patience, condition);

    private async Task<TestJob> RowAsync(Guid id)
    {
        await using var db = CreateContext();
        return await db.TestJobs.AsNoTracking().SingleAsync(j => j.Id == id);
    }

    [Theory]
    [InlineData(4, 16, 100)]
    [InlineData(4, 16, 1)]
    public async Task Prefetch_buffer_keeps_the_concurrency_limit_and_runs_every_job_once(int limit, int prefetch, int fetchBatch)
    {
        await AddTestJobsAsync(600, (j, _) => j.Payload = "sleep:1");
        await using var host = await RunnerHost.StartAsync(Database, o =>
        {
            o.MaxConcurrency = limit;
            o.PrefetchCount = prefetch;
            o.MaxFetchBatchSize = fetchBatch;
        });

        await WaitForAsync("SELECT count(*) = 600 FROM test_jobs WHERE status = 'job_status_succeeded'", TimeSpan.FromSeconds(120));
        Assert.Equal(limit, host.Probe.MaxConcurrent);
        Assert.Equal(600, host.Probe.TotalExecutions);
        Assert.All(host.Probe.ExecutionsById.Values, count => Assert.Equal(1, count));
        Assert.Equal(1, await ScalarAsync<int>("SELECT max(attempts_count) FROM test_jobs"));
    }

    // Issue 17: the automatic prefetch (the default) gives long jobs no buffer, so with two processes and 1 s jobs
    // neither holds a job it is not running while the other has a free slot. A fixed PrefetchCount of 8 fails this.
    [Fact]
    public async Task With_default_prefetch_two_processes_share_long_jobs_and_neither_hoards()
    {
        await using var first = await RunnerHost.StartAsync(Database, o => o.MaxConcurrency = 2);
        await using var second = await RunnerHost.StartAsync(Database, o => o.MaxConcurrency = 2);
        await AddTestJobsAsync(8, (j, _) => j.Payload = "sleep:1000");

        var mostHeld = 0L;
        await Eventually.TrueAsync(
            async () =>
            {
                mostHeld = Math.Max(mostHeld, await ScalarAsync<long>(
                    "SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM test_jobs WHERE status = 'job_status_running' GROUP BY locked_by) AS held"));
                return await ScalarAsync<long>("SELECT count(*) FROM test_jobs WHERE status = 'job_status_succeeded'") == 8;
            },
            TimeSpan.FromSeconds(120),
            "the eight 1 s jobs to succeed");

        Assert.True(mostHeld <= 2, $"one process held {mostHeld} jobs with 2 slots");
        Assert.Equal(8, first.Probe.TotalExecutions + second.Probe.TotalExecutions);
        Assert.True(first.Probe.TotalExecutions >= 1 && second.Probe.TotalExecutions >= 1, $"runs per process: {first.Probe.TotalExecutions} and {second.Probe.TotalExecutions}");
    }

    [Fact]
    public async Task Graceful_stop_releases_prefetched_jobs_that_never_started()
    {
        var host = await RunnerHost.StartAsync(Database, o => { o.MaxConcurrency = 1; o.PrefetchCount = 4; }, shutdownTimeout: TimeSpan.FromSeconds(1));
        await AddTestJobsAsync(4, (j, _) => j.Payload = "sleep:60000");
        await Eventually.TrueAsync(() => Task.FromResult(host.Probe.TotalExecutions == 1), Patience, "the first job to start");
        await WaitForAsync("SELECT count(*) = 4 FROM test_jobs WHERE status = 'job_status_running'");

        await host.DisposeAsync();

        Assert.Equal(1, host.Probe.TotalExecutions);
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM test_jobs WHERE status = 'job_status_running' OR locked_by IS NOT NULL"));
        Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM test_jobs WHERE status = 'job_status_not_started' AND attempts_count = 0 AND last_error LIKE 'Interrupted%' AND run_at <= now()"));
        Assert.Equal(3L, await ScalarAsync<long>("SELECT count(*) FROM test_jobs WHERE status = 'job_status_not_started' AND attempts_count = 0 AND last_error IS NULL"));
    }
}
