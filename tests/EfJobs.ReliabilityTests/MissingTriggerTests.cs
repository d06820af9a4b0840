using System.Diagnostics;
using EfJobs.Notifications;
using EfJobs.ReliabilityTests.Infrastructure;
using Xunit.Abstractions;

namespace EfJobs.ReliabilityTests;

/// <summary>The notification triggers are dropped while workers run.</summary>
public sealed class MissingTriggerTests(ITestOutputHelper output)
{
    private const string Table = "reliability_jobs";

    [Fact]
    public async Task Dropped_triggers_jobs_still_run_by_polling_with_a_warning_and_repair_reinstalls_them_after_one_poll()
    {
        await using var database = await ReliabilityDatabase.CreateAsync();
        var settings = new Dictionary<string, string> { ["REL_POLL_MS"] = "1000" };
        Task<bool> HealthyAsync() => database.ScalarAsync<bool>(NotificationTriggerSql.Healthy(Table));

        // Without RepairTriggers: a warning (event 402), and the poller keeps the queue moving.
        int polled;
        await using (var worker = await WorkerProcess.StartAsync(database, settings, "plain"))
        {
            Assert.True(await HealthyAsync());
            await database.ExecuteAsync(NotificationTriggerSql.Drop(Table));
            Assert.False(await HealthyAsync());
            await Eventually.TrueAsync(() => Task.FromResult(worker.Output.Contains("[402]", StringComparison.Ordinal)), TimeSpan.FromSeconds(30), "the event-402 warning", () => worker.Output);
            Assert.Contains($"The notification triggers of {Table} are missing", worker.Output, StringComparison.Ordinal);

            var ids = await database.EnqueueAsync(20);
            polled = ids.Count;
            await Eventually.TrueAsync(async () => await database.CountAsync("status = 'job_status_succeeded'") == polled, TimeSpan.FromSeconds(30), "the jobs to run by polling", () => worker.Output);
            Assert.False(await HealthyAsync(), "a worker without RepairTriggers must not install triggers");
            worker.Terminate();
            Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }

        // With RepairTriggers: the next poll re-installs them.
        double repairSeconds;
        await using (var worker = await WorkerProcess.StartAsync(database, new Dictionary<string, string>(settings) { ["REL_REPAIR_TRIGGERS"] = "true" }, "repairing"))
        {
            Assert.False(worker.Output.Contains("[402]", StringComparison.Ordinal), "a repairing worker does not warn");
            await Eventually.TrueAsync(HealthyAsync, TimeSpan.FromSeconds(10), "the repair at start");
            await database.ExecuteAsync(NotificationTriggerSql.Drop(Table));
            var clock = Stopwatch.StartNew();
            await Eventually.TrueAsync(HealthyAsync, TimeSpan.FromSeconds(30), "the triggers to be re-installed", () => worker.Output);
            repairSeconds = clock.Elapsed.TotalSeconds;
            Assert.Contains("[403]", worker.Output, StringComparison.Ordinal);

            await database.EnqueueAsync(5);
            await Eventually.TrueAsync(async () => await database.CountAsync("status <> 'job_status_succeeded'") == 0, TimeSpan.FromSeconds(30), "the jobs after the repair");
        }

        var total = polled + 5;
        Summary.Write(output, "missing-triggers", 2, total, total - await database.CountAsync("status = 'job_status_succeeded'"), await database.DuplicatedAsync(), repairSeconds,
            "slowest rescue = time to re-install the triggers");

        // One poll is PollInterval (1 s) plus up to 2 s of jitter.
        Assert.True(repairSeconds < 3 + 2, $"the triggers came back only after {repairSeconds:0.00} s");
        Assert.Equal(0, await database.DuplicatedAsync());
    }
}
