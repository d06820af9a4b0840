using System.Diagnostics;
using EfJobs.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace EfJobs.Tests;

/// <summary>A graceful stop gives jobs back at the host's shutdown deadline, and an interrupted attempt is not counted (issue 11, inputs 9 and 10).</summary>
public class ShutdownTests(TestDatabase database) : DatabaseTest(database)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Jobs_still_running_at_the_shutdown_timeout_are_given_back_at_the_deadline_even_one_that_ignores_its_token()
    {
        // ShutdownTimeout 1 s. Before the rewrite (6601448) the rows were released at about 3.0 s and StopAsync returned
        // at about 3.1 s (a fixed 2 s grace after the timeout): past the 2.5 s bound below, so this fails there.
        var shutdownTimeout = TimeSpan.FromSeconds(1);
        var releaseBound = shutdownTimeout + TimeSpan.FromSeconds(1.5);
        var stopBound = shutdownTimeout + TimeSpan.FromSeconds(2);
        var host = await RunnerHost.StartAsync(Database, shutdownTimeout: shutdownTimeout);
        try
        {
            var ignoring = (await AddTestJobsAsync(1, (j, _) => j.Payload = "hang:8000")).Single();
            var honouring = (await AddTestJobsAsync(1, (j, _) => j.Payload = "sleep:60000")).Single();
            await Eventually.TrueAsync(() => Task.FromResult(host.Probe.TotalExecutions == 2), Patience, "both jobs to start");

            var clock = Stopwatch.StartNew();
            var stop = host.Host.StopAsync();
            await Eventually.TrueAsync(
                () => ScalarAsync<bool>("SELECT count(*) = 0 FROM test_jobs WHERE status = 'job_status_running' OR locked_by IS NOT NULL"),
                Patience,
                "both rows to be given back");
            var releasedAfter = clock.Elapsed;
            await stop;
            var stoppedAfter = clock.Elapsed;

            foreach (var id in new[] { ignoring.Id, honouring.Id })
            {
                var row = await RowAsync(id);
                Assert.Equal((JobStatus.NotStarted, 0), (row.Status, row.AttemptsCount));
                Assert.StartsWith("Interrupted", row.LastError, StringComparison.Ordinal);
            }

            Assert.True(releasedAfter <= releaseBound, $"the rows were given back {releasedAfter.TotalSeconds:0.00} s after the stop began (shutdown timeout {shutdownTimeout.TotalSeconds} s)");
            Assert.True(stoppedAfter <= stopBound, $"StopAsync returned {stoppedAfter.TotalSeconds:0.00} s after it began (shutdown timeout {shutdownTimeout.TotalSeconds} s)");
            Assert.True(releasedAfter >= shutdownTimeout - TimeSpan.FromMilliseconds(100), $"the rows were given back at {releasedAfter.TotalSeconds:0.00} s, before the jobs' time to finish was up");
        }
        finally
        {
            host.Host.Dispose();
        }
    }

    [Fact]
    public async Task An_attempt_interrupted_by_a_graceful_stop_is_not_counted_and_only_real_failures_use_up_attempts()
    {
        // MaxAttempts 2; "fail-on-run:3" waits on its first two runs (each cut by a stop) and throws on the third. Before
        // the rewrite (6601448) each stop counted the attempt, so after the third run the job was failed; the rule now:
        // an attempt a graceful stop interrupts is given back, so after its one real failure it is a retry.
        var probe = new JobProbe();
        var job = (await AddTestJobsAsync(1, (j, _) => j.Payload = "fail-on-run:3")).Single();
        for (var run = 1; run <= 2; run++)
        {
            var host = await RunnerHost.StartAsync(Database, o => o.MaxAttempts = 2, probe: probe, shutdownTimeout: TimeSpan.FromSeconds(1));
            var expected = run;
            await Eventually.TrueAsync(() => Task.FromResult(probe.TotalExecutions == expected), Patience, $"run {run} to start");
            await host.DisposeAsync();

            var given = await RowAsync(job.Id);
            Assert.Equal((JobStatus.NotStarted, 0, (Guid?)null), (given.Status, given.AttemptsCount, given.LockedBy));
        }

        // A backoff of an hour, so the retry rests where the one failure left it.
        await using var last = await RunnerHost.StartAsync(Database, o => { o.MaxAttempts = 2; o.Backoff = BackoffStrategy.Linear(TimeSpan.FromHours(1)); }, probe: probe);
        await Eventually.TrueAsync(
            () => ScalarAsync<bool>($"SELECT count(*) = 1 FROM test_jobs WHERE id = '{job.Id}' AND status NOT IN ('job_status_running', 'job_status_not_started')"),
            Patience,
            "the third run's failure to be recorded");

        var row = await RowAsync(job.Id);
        Assert.Equal(3, probe.ExecutionsById[job.Id]);
        Assert.Equal(JobStatus.Retry, row.Status);
        Assert.Equal(1, row.AttemptsCount);
        Assert.Contains("run 3 fails", row.LastError, StringComparison.Ordinal);
        Assert.All(probe.Starts, s => Assert.Equal(1, s.Attempt));
    }

    private async Task<TestJob> RowAsync(Guid id)
    {
        await using var db = CreateContext();
        return await db.TestJobs.AsNoTracking().SingleAsync(j => j.Id == id);
    }
}
