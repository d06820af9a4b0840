using EfJobs.ReliabilityTests.Infrastructure;
using EfJobs.ReliabilityTests.Worker;
using Xunit.Abstractions;

namespace EfJobs.ReliabilityTests;

/// <summary>Enqueueing is transactional: a rolled-back enqueue never runs, a committed one always does.</summary>
public sealed class TransactionTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Only_jobs_enqueued_in_committed_transactions_run()
    {
        const int Each = 1000;
        await using var database = await ReliabilityDatabase.CreateAsync();
        await using var worker = await WorkerProcess.StartAsync(database, new Dictionary<string, string> { ["REL_POLL_MS"] = "1000" });
        var committed = new HashSet<Guid>();
        var rolledBack = new HashSet<Guid>();
        for (var i = 0; i < 2 * Each; i++)
        {
            await using var db = database.CreateContext();
            await using var transaction = await db.Database.BeginTransactionAsync();
            var job = new ReliabilityJob { WorkMs = 0 };
            db.ReliabilityJobs.Add(job);
            await db.SaveChangesAsync();
            if (i % 2 == 0)
            {
                await transaction.CommitAsync();
                committed.Add(job.Id);
            }
            else
            {
                await transaction.RollbackAsync();
                rolledBack.Add(job.Id);
            }
        }

        await Eventually.TrueAsync(async () => await database.CountAsync("status = 'job_status_succeeded'") == Each, TimeSpan.FromSeconds(60), "the committed jobs to succeed", () => worker.Output);
        await Task.Delay(2000); // a poll or two more: nothing else may turn up
        var executed = (await database.RowsAsync("SELECT job_id FROM executions")).Select(r => (Guid)r[0]!).ToList();
        var rows = await database.CountAsync("true");
        Summary.Write(output, "transactions", Each, Each, committed.Except(executed).Count(), executed.Count - executed.Distinct().Count(), null,
            $"{Each} rolled back, of which executed {executed.Count(rolledBack.Contains)}");

        Assert.Equal(Each, committed.Count);
        Assert.Equal(Each, rolledBack.Count);
        Assert.Equal(Each, rows);
        Assert.True(committed.SetEquals(executed), "exactly the committed jobs ran");
        Assert.Equal(Each, executed.Count);
    }
}
