using EfJobs.ReliabilityTests.Infrastructure;
using EfJobs.ReliabilityTests.Worker;
using Xunit.Abstractions;

namespace EfJobs.ReliabilityTests;

/// <summary>Jobs that throw, hang, break an invariant or crash their worker end where they should, and their neighbours run.</summary>
public sealed class PoisonJobTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_throwing_handler_is_retried_then_failed_with_type_message_and_stack()
    {
        await using var database = await ReliabilityDatabase.CreateAsync();
        await using var worker = await WorkerProcess.StartAsync(database, new Dictionary<string, string> { ["REL_MAX_ATTEMPTS"] = "3", ["REL_BACKOFF_MS"] = "200" });
        var poison = (await database.EnqueueAsync(1, mode: JobModes.Throw))[0];
        await database.EnqueueAsync(10);
        await Eventually.TrueAsync(async () => await database.CountAsync("status IN ('job_status_not_started', 'job_status_retry', 'job_status_running')") == 0, TimeSpan.FromSeconds(30), "every job to end", () => worker.Output);

        var row = (await database.RowsAsync("SELECT status::text, attempts_count, last_error FROM reliability_jobs WHERE id = $1", poison))[0];
        var executions = await database.ScalarAsync<long>("SELECT count(*) FROM executions WHERE job_id = $1", poison);
        Summary.Write(output, "poison-throw", 3, 11, 10 - await database.CountAsync("status = 'job_status_succeeded'"), 0, null, $"poison job ran {executions} times, then {row[0]}");

        Assert.Equal("job_status_failed", row[0]);
        Assert.Equal(3, row[1]);
        Assert.Equal(3, executions);
        var error = (string)row[2]!;
        Assert.Contains("System.InvalidOperationException", error, StringComparison.Ordinal);
        Assert.Contains($"Poison job {poison} throws on purpose (attempt 3)", error, StringComparison.Ordinal);
        Assert.Contains("at EfJobs.ReliabilityTests.Worker.ReliabilityHandler", error, StringComparison.Ordinal);
        Assert.Equal(10, await database.CountAsync("status = 'job_status_succeeded'"));
    }

    [Fact]
    public async Task A_handler_that_ignores_its_token_times_out_and_keeps_its_slot_until_it_returns()
    {
        await using var database = await ReliabilityDatabase.CreateAsync();
        await using var worker = await WorkerProcess.StartAsync(database, new Dictionary<string, string>
        {
            ["REL_MAX_CONCURRENCY"] = "1",
            ["REL_TIMEOUT_MS"] = "1000",
            ["REL_MAX_ATTEMPTS"] = "1",
        });
        var hung = (await database.EnqueueAsync(1, workMs: 4000, mode: JobModes.Hang))[0];
        await Eventually.TrueAsync(async () => await database.ScalarAsync<long>("SELECT count(*) FROM executions WHERE job_id = $1", hung) == 1, TimeSpan.FromSeconds(30), "the hanging job to start");
        var next = (await database.EnqueueAsync(1))[0];
        await Eventually.TrueAsync(async () => await database.CountAsync("status = 'job_status_succeeded'") == 1, TimeSpan.FromSeconds(30), "the next job to succeed", () => worker.Output);

        var hungRow = (await database.RowsAsync("SELECT status::text, last_error FROM reliability_jobs WHERE id = $1", hung))[0];
        var hungFinished = await database.ScalarAsync<DateTime>("SELECT finished_at FROM executions WHERE job_id = $1", hung);
        var hungStarted = await database.ScalarAsync<DateTime>("SELECT started_at FROM executions WHERE job_id = $1", hung);
        var nextStarted = await database.ScalarAsync<DateTime>("SELECT started_at FROM executions WHERE job_id = $1", next);
        Summary.Write(output, "poison-hang", 1, 2, 1 - await database.CountAsync("status = 'job_status_succeeded'"), await database.DuplicatedAsync(), null,
            $"hung job {hungRow[0]}, next job started {(nextStarted - hungStarted).TotalSeconds:0.00} s after the hung one, {(nextStarted - hungFinished).TotalSeconds:0.00} s after it returned");

        Assert.Equal("job_status_timed_out", hungRow[0]);
        Assert.Contains("Timeout", (string)hungRow[1]!, StringComparison.Ordinal);
        Assert.True(nextStarted >= hungFinished, $"with MaxConcurrency 1 the next job started at {nextStarted:O}, before the hung handler returned at {hungFinished:O}");
        Assert.Contains("[205]", worker.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_row_that_breaks_an_invariant_fails_with_a_clear_error_and_its_neighbours_succeed()
    {
        await using var database = await ReliabilityDatabase.CreateAsync();
        await using var worker = await WorkerProcess.StartAsync(database, new Dictionary<string, string> { ["REL_MAX_ATTEMPTS"] = "3", ["REL_BACKOFF_MS"] = "100" });
        await database.EnqueueAsync(5);
        var bad = (await database.EnqueueAsync(1, workMs: -1))[0];
        await database.EnqueueAsync(5);
        await Eventually.TrueAsync(async () => await database.CountAsync("status IN ('job_status_not_started', 'job_status_retry', 'job_status_running')") == 0, TimeSpan.FromSeconds(30), "every job to end", () => worker.Output);

        var row = (await database.RowsAsync("SELECT status::text, attempts_count, last_error FROM reliability_jobs WHERE id = $1", bad))[0];
        Summary.Write(output, "poison-invariant", 1, 11, 10 - await database.CountAsync("status = 'job_status_succeeded'"), await database.DuplicatedAsync(), null, $"bad row {row[0]} after {row[1]} attempts");

        Assert.Equal("job_status_failed", row[0]);
        Assert.Equal(3, row[1]);
        Assert.Contains($"System.IO.InvalidDataException: Invariant violated by job {bad}: WorkMs must not be negative (was -1).", (string)row[2]!, StringComparison.Ordinal);
        Assert.Equal(10, await database.CountAsync("status = 'job_status_succeeded'"));
        Assert.Equal(0, await database.DuplicatedAsync());
    }

    [Fact]
    public async Task A_row_ef_cannot_read_fails_with_the_read_error_and_its_neighbours_in_the_same_fetch_succeed_once()
    {
        const int MaxAttempts = 3;
        await using var database = await ReliabilityDatabase.CreateAsync();

        // The database allows what the entity cannot hold: a NULL in weight, an int property. The row sits in the
        // middle of 11 due jobs, all there before the worker starts, so its first fetch (16 free slots, batches of 100)
        // locks all 11 with one UPDATE ... RETURNING that EF cannot materialise.
        await database.ExecuteAsync("ALTER TABLE reliability_jobs ALTER COLUMN weight DROP NOT NULL");
        var neighbours = await database.EnqueueAsync(5);
        var bad = (await database.RowsAsync("INSERT INTO reliability_jobs (work_ms, mode, weight) VALUES (0, 'ok', NULL) RETURNING id"))
            .Select(r => (Guid)r[0]!).Single();
        neighbours.AddRange(await database.EnqueueAsync(5));
        await using var worker = await WorkerProcess.StartAsync(database, new Dictionary<string, string>
        {
            ["REL_MAX_CONCURRENCY"] = "16",
            ["REL_MAX_FETCH_BATCH"] = "100",
            ["REL_MAX_ATTEMPTS"] = MaxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["REL_BACKOFF_MS"] = "100",

            // An hour: every retry must be woken by the runner's own timer, including one that falls due between a
            // fetch that found nothing and the look for the next scheduled job (a race this scenario once exposed).
            ["REL_POLL_MS"] = "3600000",
        });
        await Eventually.TrueAsync(
            async () => await database.CountAsync("status IN ('job_status_not_started', 'job_status_retry', 'job_status_running')") == 0,
            TimeSpan.FromSeconds(30),
            "every job to end",
            () => worker.Output);

        var row = (await database.RowsAsync("SELECT status::text, attempts_count, locked_by, last_error FROM reliability_jobs WHERE id = $1", bad))[0];
        var executionsOfBad = await database.ScalarAsync<long>("SELECT count(*) FROM executions WHERE job_id = $1", bad);
        var neighbourExecutions = (await database.RowsAsync("SELECT job_id, count(*) FROM executions WHERE job_id <> $1 GROUP BY job_id", bad))
            .ToDictionary(r => (Guid)r[0]!, r => (long)r[1]!);
        var succeeded = await database.CountAsync("status = 'job_status_succeeded'");
        var takenOver = Occurrences(worker.Output, "Took over 10 job(s) of reliability_jobs");
        var unreadableLogged = Occurrences(worker.Output, "the row cannot be read as the job's entity");
        var error = (string?)row[3] ?? "";
        Summary.Write(output, "poison-unreadable", 1, 11, 10 - succeeded, await database.DuplicatedAsync(), null,
            $"unreadable row {row[0]} after {row[1]} attempts, handler ran it {executionsOfBad} times; {succeeded} of its 10 neighbours succeeded, taken over from the failed fetch {takenOver} time(s); last_error: {error.Split('\n')[0].Trim()}");

        Assert.False(worker.HasExited, $"the worker exited:\n{worker.Output}");
        Assert.Equal("job_status_failed", row[0]);
        Assert.Equal(MaxAttempts, row[1]);
        Assert.Null(row[2]);
        Assert.StartsWith("EfJobs could not read this row as ReliabilityJob: ", error, StringComparison.Ordinal);
        Assert.Contains("could not read", error, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(nameof(ReliabilityJob.Weight), error, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, executionsOfBad);
        Assert.Equal(10, succeeded);
        Assert.Equal(neighbours.Order(), neighbourExecutions.Keys.Order());
        Assert.All(neighbourExecutions.Values, count => Assert.Equal(1, count));
        Assert.Equal(0, await database.DuplicatedAsync());

        // The neighbours came out of the failed fetch, once, not from stale recovery (301) or a failed take-over (308);
        // every attempt of the unreadable row was logged, none as a fetch failure to back off from (300).
        Assert.Equal(1, takenOver);
        Assert.Equal(MaxAttempts, unreadableLogged);
        Assert.DoesNotContain("[300]", worker.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("[301]", worker.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("[308]", worker.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_job_that_crashes_its_worker_every_time_ends_failed_after_max_attempts()
    {
        const int MaxAttempts = 3;
        await using var database = await ReliabilityDatabase.CreateAsync();
        var settings = new Dictionary<string, string>
        {
            ["REL_MAX_ATTEMPTS"] = MaxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["REL_STALE_MS"] = "2000",
            ["REL_HEARTBEAT_MS"] = "500",
        };
        var crasher = (await database.EnqueueAsync(1, mode: JobModes.FailFast))[0];
        var crashes = 0;
        var outputs = new List<string>();
        for (var start = 0; start < 2 * MaxAttempts + 2; start++)
        {
            await using var worker = await WorkerProcess.StartAsync(database, settings, $"worker{start}", waitForListener: false);
            await Eventually.TrueAsync(
                async () => worker.HasExited || await database.CountAsync("status = 'job_status_failed'") == 1,
                TimeSpan.FromSeconds(60),
                "the worker to crash or the job to fail",
                () => worker.Output);
            if (worker.HasExited)
            {
                await worker.WaitForExitAsync(TimeSpan.FromSeconds(10));
                Assert.NotEqual(0, worker.ExitCode);
                Assert.Contains("brings its worker down on purpose", worker.Output, StringComparison.Ordinal);
                crashes++;
                outputs.Add(worker.Output);
                continue;
            }

            break;
        }

        var row = (await database.RowsAsync("SELECT status::text, attempts_count, last_error FROM reliability_jobs WHERE id = $1", crasher))[0];
        var executions = await database.ScalarAsync<long>("SELECT count(*) FROM executions WHERE job_id = $1", crasher);
        Summary.Write(output, "poison-failfast", crashes, 1, 0, executions - 1, null, $"worker crashed {crashes} times, job {row[0]}: {row[2]}");

        Assert.Equal(MaxAttempts, crashes);
        Assert.Equal("job_status_failed", row[0]);
        Assert.Equal(MaxAttempts, row[1]);
        // Whichever rescuer saw the crash first: the lost liveness lock (dead-worker rescue) or the stale timeout (2 s here).
        Assert.True(
            (string)row[2]! == "Stale job: worker likely crashed" || ((string)row[2]!).StartsWith("Worker lost its database session (killed or crashed)", StringComparison.Ordinal),
            $"last_error: {row[2]}");
        Assert.Equal(MaxAttempts, executions);
    }

    private static int Occurrences(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
