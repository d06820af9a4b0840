using EfJobs.ReliabilityTests.Infrastructure;
using EfJobs.ReliabilityTests.Worker;
using Xunit.Abstractions;

namespace EfJobs.ReliabilityTests;

/// <summary>SIGTERM with jobs in flight: the host stops gracefully within its shutdown timeout.</summary>
public sealed class GracefulStopTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Sigterm_lets_short_jobs_finish_and_releases_the_rest_for_retry_at_once()
    {
        await using var database = await ReliabilityDatabase.CreateAsync();
        var settings = new Dictionary<string, string> { ["REL_MAX_CONCURRENCY"] = "5", ["REL_SHUTDOWN_MS"] = "2500" };
        var worker = await WorkerProcess.StartAsync(database, settings, "stopping");
        var shortJobs = await database.EnqueueAsync(2, workMs: 1000);
        var longJobs = await database.EnqueueAsync(2, workMs: 60_000);
        var hungJob = await database.EnqueueAsync(1, workMs: 60_000, mode: JobModes.Hang);
        await Eventually.TrueAsync(async () => await database.ScalarAsync<long>("SELECT count(*) FROM executions") == 5, TimeSpan.FromSeconds(30), "all five jobs to start", () => worker.Output);

        var terminatedAt = await database.ScalarAsync<DateTime>("SELECT clock_timestamp()");
        worker.Terminate();
        var exitCode = await worker.WaitForExitAsync(TimeSpan.FromSeconds(60));
        var stoppedAt = await database.ScalarAsync<DateTime>("SELECT clock_timestamp()");

        var rows = (await database.RowsAsync("SELECT id, status::text, locked_by, locked_at, last_error, run_at <= clock_timestamp(), attempts_count FROM reliability_jobs")).ToDictionary(r => (Guid)r[0]!);
        var shortFinished = await database.RowsAsync("SELECT finished_at FROM executions WHERE job_id = ANY($1)", shortJobs.ToArray());
        var running = await database.CountAsync("status = 'job_status_running'");
        var released = longJobs.Concat(hungJob).ToList();

        // The released jobs run again on another worker (made short now, so the test need not wait a minute).
        await database.ExecuteAsync("UPDATE reliability_jobs SET work_ms = 10, mode = 'ok' WHERE id = ANY($1)", released.ToArray());
        await using var next = await WorkerProcess.StartAsync(database, settings, "next");
        await Eventually.TrueAsync(async () => await database.CountAsync("status <> 'job_status_succeeded'") == 0, TimeSpan.FromSeconds(30), "the released jobs to run again", () => next.Output);
        Summary.Write(output, "graceful-stop", 1, 5, 5 - await database.CountAsync("status = 'job_status_succeeded'"), await database.DuplicatedAsync(), (stoppedAt - terminatedAt).TotalSeconds,
            "slowest rescue = SIGTERM to process exit; released 3 (2 honouring the token, 1 ignoring it)");

        Assert.Equal(0, exitCode);
        Assert.Contains("[102]", worker.Output, StringComparison.Ordinal);
        Assert.Equal(0, running);
        Assert.All(shortJobs, id => Assert.Equal("job_status_succeeded", rows[id][1]));
        Assert.All(shortFinished, r => Assert.True((DateTime)r[0]! > terminatedAt, "the short jobs were still in flight at SIGTERM"));
        // An attempt a graceful stop interrupts is given back, not counted (issue 11): the row is as before its fetch.
        Assert.All(released, id =>
        {
            Assert.Equal("job_status_not_started", rows[id][1]);
            Assert.Equal(0, rows[id][6]);
            Assert.Null(rows[id][2]);
            Assert.Null(rows[id][3]);
            Assert.StartsWith("Interrupted", (string)rows[id][4]!, StringComparison.Ordinal);
            Assert.Equal(true, rows[id][5]);
        });
        Assert.Equal(5, await database.CountAsync("status = 'job_status_succeeded' AND attempts_count = 1"));
        Assert.Equal(3, await database.DuplicatedAsync());
        await worker.DisposeAsync();
    }
}
