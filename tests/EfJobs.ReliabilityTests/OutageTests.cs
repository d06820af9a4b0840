using System.Diagnostics;
using EfJobs.ReliabilityTests.Infrastructure;
using EfJobs.ReliabilityTests.Worker;
using Xunit.Abstractions;

namespace EfJobs.ReliabilityTests;

/// <summary>
/// PostgreSQL is stopped (not restarted) for a while: under jobs that finish meanwhile, and when a worker starts
/// (issue 11, inputs 4 and 7). Both run on a private cluster, so the other test assemblies keep their server.
/// </summary>
public sealed class OutageTests(ITestOutputHelper output)
{
    // The outage is 100 s; 25 s keeps the suite short and is past everything that matters: the write retry's
    // 5 s cap, the reconnect cap (1.5 s), two dead-worker checks (2 x 1.5 s) and the worker's heartbeat.
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(25);

    /// <remarks>
    /// Before the rewrite (6601448), 45 s after the database was back the two reliability_jobs rows were still running,
    /// locked, with a fresh locked_at: the result writes had given up while the heartbeat kept the rows alive, and only
    /// a restart released them (running the succeeded one again). The 60 s wait below fails there.
    /// </remarks>
    [Fact]
    public async Task Jobs_that_finish_while_the_database_is_down_reach_their_final_state_once_it_is_back_without_a_restart()
    {
        const int WorkMs = 4000;
        await using var postgres = await PostgresServer.StartAsync();
        await using var database = await ReliabilityDatabase.CreateAsync(postgres.ConnectionString);
        await using var worker = await WorkerProcess.StartAsync(database, new Dictionary<string, string>
        {
            ["REL_JOBS"] = "all",
            ["REL_BATCH_COMPLETIONS"] = "false", // reliability_jobs one UPDATE per success; the quoted table batched
            ["REL_MAX_ATTEMPTS"] = "1",
            ["REL_POLL_MS"] = "3600000",
        });

        Guid succeeding, failing, batched;
        await using (var db = database.CreateContext())
        {
            var ok = new ReliabilityJob { WorkMs = WorkMs, Mode = JobModes.OkOffline };
            var throwing = new ReliabilityJob { WorkMs = WorkMs, Mode = JobModes.ThrowLate };
            var quoted = new QuotedJob { WorkMs = WorkMs, Mode = JobModes.OkOffline };
            db.AddRange(ok, throwing);
            db.Add(quoted);
            await db.SaveChangesAsync();
            (succeeding, failing, batched) = (ok.Id, throwing.Id, quoted.Id);
        }

        await Eventually.TrueAsync(async () => await database.ScalarAsync<long>("SELECT count(*) FROM executions") == 3, TimeSpan.FromSeconds(30), "the three jobs to start", () => worker.Output);
        var runningBefore = await database.CountAsync("status = 'job_status_running'")
            + await database.ScalarAsync<long>($"SELECT count(*) FROM {Quote(ReliabilityContext.QuotedTable)} WHERE status = 'job_status_running'");
        await postgres.StopAsync();
        var outageClock = Stopwatch.StartNew();
        await Task.Delay(Outage); // the fault itself: the database stays down this long
        await postgres.StartAgainAsync();
        var down = outageClock.Elapsed;

        var back = Stopwatch.StartNew();
        await Eventually.TrueAsync(
            async () => await RunningOrPendingAsync(database) == 0,
            TimeSpan.FromSeconds(60),
            "every row to reach its final state after the database came back",
            () => worker.Output,
            pollMs: 100);
        var settled = back.Elapsed.TotalSeconds;

        var ok1 = (await database.RowsAsync("SELECT status::text, attempts_count, locked_by FROM reliability_jobs WHERE id = $1", succeeding))[0];
        var failed = (await database.RowsAsync("SELECT status::text, attempts_count, locked_by, last_error FROM reliability_jobs WHERE id = $1", failing))[0];
        var ok2 = (await database.RowsAsync($"SELECT status::text, attempts_count, locked_by FROM {Quote(ReliabilityContext.QuotedTable)} WHERE id = $1", batched))[0];
        var executions = await database.RowsAsync("SELECT job_id, count(*), count(finished_at) FROM executions GROUP BY job_id");
        Summary.Write(output, "database-outage", 1, 3, 3 - executions.Count, await database.DuplicatedAsync(), settled,
            $"down {down.TotalSeconds:0.0} s with 3 jobs finishing; slowest rescue = database back to every row final");

        Assert.Equal(3, runningBefore);
        Assert.False(worker.HasExited, worker.Output);
        Assert.Equal(("job_status_succeeded", 1, null), ((string)ok1[0]!, (int)ok1[1]!, ok1[2]));
        Assert.Equal(("job_status_failed", 1, null), ((string)failed[0]!, (int)failed[1]!, failed[2]));
        Assert.Contains($"Job {failing} fails at its end on purpose", (string)failed[3]!, StringComparison.Ordinal);
        Assert.Equal(("job_status_succeeded", 1, null), ((string)ok2[0]!, (int)ok2[1]!, ok2[2]));

        // Each job ran once (the succeeded ones were not run again), and the two that succeeded ended during the outage:
        // their finished_at could not be written.
        Assert.Equal(3, executions.Count);
        Assert.All(executions, r => Assert.Equal(1L, (long)r[1]!));
        Assert.All(executions.Where(r => (Guid)r[0]! != failing), r => Assert.Equal(0L, (long)r[2]!));
    }

    /// <remarks>
    /// Before the rewrite (6601448) a worker that started while the database was down logged "a fetch returned a row
    /// that cannot be read" (EF's execution strategy wraps the connection error in InvalidOperationException), and its
    /// LISTEN reconnect backoff had grown (0.5 s doubling to 60 s), so a job enqueued right after the database came back
    /// waited for it: 26 s in the issue. The 2 s bound is the issue's; the reconnect and fetch retries are capped at 1.5 s.
    /// </remarks>
    [Fact]
    public async Task A_worker_started_while_the_database_is_down_logs_no_read_error_and_starts_a_job_within_2_s_of_it_being_back()
    {
        await using var postgres = await PostgresServer.StartAsync();
        await using var database = await ReliabilityDatabase.CreateAsync(postgres.ConnectionString);
        await postgres.StopAsync();
        await using var worker = await WorkerProcess.StartAsync(database, new Dictionary<string, string> { ["REL_POLL_MS"] = "3600000", ["REL_EFJOBS_LOG_LEVEL"] = "Information" }, waitForListener: false);
        await Task.Delay(TimeSpan.FromSeconds(15)); // the fault itself: long enough for a doubling backoff to pass 8 s

        await postgres.StartAgainAsync();
        var reachableAt = await database.ScalarAsync<DateTime>("SELECT clock_timestamp()");
        var job = (await database.EnqueueAsync(1))[0];
        await Eventually.TrueAsync(
            async () => await database.ScalarAsync<long>("SELECT count(*) FROM executions WHERE job_id = $1", job) > 0,
            TimeSpan.FromSeconds(60),
            "the job enqueued after the database came back to start",
            () => worker.Output);
        // The job starts when the worker's fetch locks it for its attempt (locked_at, the fetch's now()); the handler's own
        // first connection to record its execution is the test's overhead, not the runner's.
        var startedAt = await database.ScalarAsync<DateTime>("SELECT locked_at FROM executions WHERE job_id = $1", job);
        var latency = (startedAt - reachableAt).TotalSeconds;
        await Eventually.TrueAsync(async () => await database.CountAsync("status = 'job_status_succeeded'") == 1, TimeSpan.FromSeconds(30), "the job to succeed", () => worker.Output);
        await worker.WaitForListenerAsync(database);
        Summary.Write(output, "database-down-at-start", 1, 1, 0, await database.DuplicatedAsync(), latency,
            "slowest rescue = database reachable to the first job's start");

        Assert.False(worker.HasExited, worker.Output);
        Assert.DoesNotContain("[309]", worker.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("[306]", worker.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("cannot be read", worker.Output, StringComparison.Ordinal);
        Assert.True(latency < 2, $"the job started {latency:0.00} s after the database was reachable again ({reachableAt:HH:mm:ss.fff} UTC). Output, lines cut:\n{Cut(worker.Output)}");
    }

    private static string Cut(string output) =>
        string.Join("\n", output.Split('\n').Select(line => line.Length > 220 ? line[..220] + "…" : line));

    private static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static async Task<long> RunningOrPendingAsync(ReliabilityDatabase database)
    {
        const string Unfinished = "status IN ('job_status_running', 'job_status_not_started', 'job_status_retry') OR locked_by IS NOT NULL";
        return await database.CountAsync(Unfinished)
            + await database.ScalarAsync<long>($"SELECT count(*) FROM {Quote(ReliabilityContext.QuotedTable)} WHERE {Unfinished}");
    }
}
