using EfJobs.ReliabilityTests.Infrastructure;
using Xunit.Abstractions;

namespace EfJobs.ReliabilityTests;

public sealed class CompetingWorkersTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Four_processes_drain_20000_jobs_each_executed_exactly_once()
    {
        const int Jobs = 20_000;
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
                TimeSpan.FromSeconds(180),
                "every job to succeed",
                () => string.Join("\n", workers.Select(w => w.Name + ":\n" + w.Output)),
                pollMs: 250);

            Assert.All(workers, w => Assert.False(w.HasExited, $"{w.Name} exited:\n{w.Output}"));
            var executions = await database.ScalarAsync<long>("SELECT count(*) FROM executions");
            var distinct = await database.ScalarAsync<long>("SELECT count(DISTINCT job_id) FROM executions");
            var unfinished = await database.ScalarAsync<long>("SELECT count(*) FROM executions WHERE finished_at IS NULL");
            var perWorker = await database.RowsAsync("SELECT worker_id, count(*) FROM executions GROUP BY worker_id");
            var lost = Jobs - await database.CountAsync("status = 'job_status_succeeded' AND attempts_count = 1");
            Summary.Write(output, "competing-workers", 0, Jobs, Jobs - distinct, executions - distinct, null,
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
