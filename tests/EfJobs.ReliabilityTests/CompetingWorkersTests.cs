using EfJobs.ReliabilityTests.Infrastructure;
using Xunit.Abstractions;

namespace EfJobs.ReliabilityTests;

/// <summary>
/// Four worker processes drain 20,000 jobs with no fault injected, at the library's default StaleJobTimeout (the
/// worker leaves it alone unless REL_STALE_MS is set): each job runs exactly once.
/// </summary>
public sealed class CompetingWorkersTests(ITestOutputHelper output)
{
    private const int Jobs = 20_000;

    [Fact]
    public Task Four_processes_drain_20000_jobs_each_executed_exactly_once() =>
        DrainAsync("competing-workers", TimeSpan.FromSeconds(180));

    /// <remarks>
    /// Issue 11, input 8: on an overloaded machine (two cores, load average about 20) 56 jobs ran twice before the
    /// rewrite (6601448): a slow but live worker's heartbeat fell behind the worker's 3 s StaleJobTimeout and another
    /// process took its jobs. Now a live process keeps its jobs (its liveness lock holds; the stale timeout is the
    /// default 10 min), so even with every core spinning alongside each job runs exactly once.
    /// </remarks>
    [Fact]
    public async Task Four_processes_drain_20000_jobs_exactly_once_while_every_core_runs_a_busy_loop()
    {
        using var stop = new CancellationTokenSource();
        var spinners = Enumerable.Range(0, Environment.ProcessorCount).Select(_ => new Thread(() =>
        {
            var spins = 0L;
            while (!stop.IsCancellationRequested)
            {
                spins++;
            }

            GC.KeepAlive(spins);
        })
        { IsBackground = true, Name = "busy loop" }).ToList();
        spinners.ForEach(t => t.Start());
        try
        {
            await DrainAsync($"competing-workers, {spinners.Count} busy loops", TimeSpan.FromSeconds(600));
        }
        finally
        {
            await stop.CancelAsync();
            spinners.ForEach(t => t.Join());
        }
    }

    private async Task DrainAsync(string scenario, TimeSpan within)
    {
        await using var database = await ReliabilityDatabase.CreateAsync();
        var settings = new Dictionary<string, string> { ["REL_MAX_CONCURRENCY"] = "8" };
        var workers = new List<WorkerProcess>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                workers.Add(await WorkerProcess.StartAsync(database, settings, $"worker{i}"));
            }

            var ids = await database.EnqueueAsync(Jobs);
            Assert.Equal(Jobs, ids.Count);
            await Eventually.TrueAsync(
                async () => await database.CountAsync("status = 'job_status_succeeded'") == Jobs,
                within,
                "every job to succeed",
                () => string.Join("\n", workers.Select(w => w.Name + ":\n" + w.Output)),
                pollMs: 250);

            Assert.All(workers, w => Assert.False(w.HasExited, $"{w.Name} exited:\n{w.Output}"));
            var executions = await database.ScalarAsync<long>("SELECT count(*) FROM executions");
            var distinct = await database.ScalarAsync<long>("SELECT count(DISTINCT job_id) FROM executions");
            var unfinished = await database.ScalarAsync<long>("SELECT count(*) FROM executions WHERE finished_at IS NULL");
            var perWorker = await database.RowsAsync("SELECT worker_id, count(*) FROM executions GROUP BY worker_id");
            var lost = Jobs - await database.CountAsync("status = 'job_status_succeeded' AND attempts_count = 1");
            Summary.Write(output, scenario, 0, Jobs, Jobs - distinct, executions - distinct, null,
                "per worker " + string.Join("/", perWorker.Select(r => r[1])));

            Assert.Equal(Jobs, distinct);
            Assert.Equal(Jobs, executions);
            Assert.Equal(0, unfinished);
            Assert.Equal(0, lost);
            Assert.True(perWorker.Count >= 2, "the jobs were shared by at least two of the four workers");
            Assert.All(perWorker, r => Assert.Contains((Guid)r[0]!, workers.Select(w => w.WorkerId)));
        }
        finally
        {
            foreach (var worker in workers)
            {
                await worker.DisposeAsync();
            }
        }
    }
}
