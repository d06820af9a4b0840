using EfJobs.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace EfJobs.Tests;

/// <summary>Issue 17: bulk enqueue by binary COPY, in the caller's transaction.</summary>
public class BulkInsertTests(TestDatabase database) : DatabaseTest(database)
{
    [Fact]
    public async Task Copied_jobs_commit_or_roll_back_with_the_callers_transaction()
    {
        await using var db = CreateContext();
        await using (var rolledBack = await db.Database.BeginTransactionAsync())
        {
            Assert.Equal(500L, await db.BulkInsertJobsAsync(Enumerable.Range(0, 500).Select(i => new TestJob { Payload = "lost " + i })));
            await rolledBack.RollbackAsync();
        }

        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM test_jobs"));

        var later = DateTime.UtcNow.AddHours(1);
        var jobs = Enumerable.Range(0, 1000).Select(i => new TestJob { Payload = "job " + i, RunAt = i == 0 ? later : default }).ToList();
        await using (var committed = await db.Database.BeginTransactionAsync())
        {
            Assert.Equal(1000L, await db.BulkInsertJobsAsync(jobs));
            await committed.CommitAsync();
        }

        Assert.All(jobs, j => Assert.NotEqual(Guid.Empty, j.Id));
        Assert.Equal(1000L, await ScalarAsync<long>(
            "SELECT count(*) FROM test_jobs WHERE status = 'job_status_not_started' AND attempts_count = 0 AND locked_by IS NULL AND last_error IS NULL AND \"Payload\" LIKE 'job %'"));
        Assert.Equal(999L, await ScalarAsync<long>("SELECT count(*) FROM test_jobs WHERE run_at = created_at"));
        var stored = await db.TestJobs.AsNoTracking().SingleAsync(j => j.Id == jobs[0].Id);
        Assert.Equal("job 0", stored.Payload);
        Assert.True(Math.Abs((stored.RunAt - later).TotalMilliseconds) < 1, $"run_at {stored.RunAt:O}, set {later:O}");
    }

    [Fact]
    public async Task The_runner_runs_copied_jobs_woken_by_the_notification()
    {
        await using var host = await RunnerHost.StartAsync(Database, o => o.PollInterval = TimeSpan.FromHours(1));
        await host.WaitForListenerAsync(Database);
        await using var db = CreateContext();

        await db.BulkInsertJobsAsync(Enumerable.Range(0, 200).Select(i => new TestJob { Payload = "copied " + i }));

        await Eventually.TrueAsync(
            async () => await ScalarAsync<long>("SELECT count(*) FROM test_jobs WHERE status = 'job_status_succeeded'") == 200,
            TimeSpan.FromSeconds(60),
            "the 200 copied jobs to succeed");
        Assert.Equal(200, host.Probe.TotalExecutions);
    }

    [Fact]
    public async Task A_run_at_of_unspecified_kind_is_refused_and_nothing_is_written()
    {
        await using var db = CreateContext();
        var jobs = new[] { new TestJob { Payload = "fine" }, new TestJob { Payload = "ambiguous", RunAt = new DateTime(2030, 1, 1) } };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => db.BulkInsertJobsAsync(jobs));

        Assert.Contains("DateTimeKind.Unspecified", error.Message, StringComparison.Ordinal);
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM test_jobs"));
    }
}
