using EfJobs.ReliabilityTests.Infrastructure;
using Xunit.Abstractions;

namespace EfJobs.ReliabilityTests;

/// <summary>
/// Three worker processes declare the same every-second recurring job; there is no leader. Over a window of 30
/// whole seconds, during which one process is killed (SIGKILL) and restarted, another stopped (SIGTERM) and restarted
/// and the third killed and restarted, the schedule makes exactly 30 jobs in the window, and over the whole run one
/// job per tick with no tick missing.
/// </summary>
/// <remarks>
/// The count is exact without asserting any timing: each job carries its tick (the factory's RecurringTick), the
/// window is a range of ticks, not of wall-clock waiting, and the count is taken once the schedule's last_tick has
/// passed the window's end. Claims of one schedule serialise on its row, so a committed last_tick at or after the
/// end means every tick before it is decided. The misfire threshold is 10 minutes, so even a machine stalled for
/// seconds makes every tick on time.
/// </remarks>
public sealed class RecurringJobsTests(ITestOutputHelper output)
{
    private const int WindowSeconds = 30;

    [Fact]
    public async Task Three_processes_make_exactly_one_job_per_tick_of_an_every_second_schedule_while_they_are_killed_and_restarted()
    {
        await using var database = await ReliabilityDatabase.CreateAsync();
        var settings = new Dictionary<string, string> { ["REL_RECURRING"] = "true" };
        var workers = (await Task.WhenAll(Enumerable.Range(0, 3).Select(i => WorkerProcess.StartAsync(database, settings, $"worker{i}")))).ToList();
        try
        {
            string Outputs() => string.Join("\n", workers.Select(w => w.Name + ":\n" + w.Output));
            await Eventually.TrueAsync(
                async () => await database.ScalarAsync<long>("SELECT count(*) FROM recurring_probe_jobs") > 0,
                TimeSpan.FromSeconds(60),
                "the first recurring job",
                Outputs);

            // The window: 30 whole-second ticks, starting two seconds ahead.
            var now = DateTimeOffset.UtcNow;
            var start = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero).AddSeconds(2);
            var end = start.AddSeconds(WindowSeconds);

            // Faults at ticks 8, 16 and 24 of the window: wait for that tick's job, then hit a process.
            await AtTickAsync(database, start.AddSeconds(8), Outputs);
            workers[0].Kill();
            workers[0] = await WorkerProcess.StartAsync(database, settings, "worker0 (restarted after kill)");
            await AtTickAsync(database, start.AddSeconds(16), Outputs);
            workers[1].Terminate();
            await workers[1].WaitForExitAsync(TimeSpan.FromSeconds(60));
            workers[1] = await WorkerProcess.StartAsync(database, settings, "worker1 (restarted after stop)");
            await AtTickAsync(database, start.AddSeconds(24), Outputs);
            workers[2].Kill();
            workers[2] = await WorkerProcess.StartAsync(database, settings, "worker2 (restarted after kill)");

            await Eventually.TrueAsync(
                async () => await database.ScalarAsync<bool>("SELECT coalesce(last_tick >= $1, false) FROM efjobs_recurring_schedules WHERE name = 'every-second'", end),
                TimeSpan.FromSeconds(120),
                "the schedule's last tick to pass the window",
                Outputs,
                pollMs: 250);

            var inWindow = await database.ScalarAsync<long>("SELECT count(*) FROM recurring_probe_jobs WHERE tick >= $1 AND tick < $2", start, end);
            var total = await database.ScalarAsync<long>("SELECT count(*) FROM recurring_probe_jobs");
            var distinct = await database.ScalarAsync<long>("SELECT count(DISTINCT tick) FROM recurring_probe_jobs");
            var span = await database.ScalarAsync<long>("SELECT (extract(epoch FROM max(tick) - min(tick)))::bigint + 1 FROM recurring_probe_jobs");
            var whole = await database.ScalarAsync<long>("SELECT count(*) FROM recurring_probe_jobs WHERE date_trunc('second', tick) <> tick OR schedule <> 'every-second'");
            Summary.Write(output, "recurring every second, 3 processes, 2 kills and a stop", 3, total, Math.Max(0, span - distinct), total - distinct, null, $"{inWindow} jobs in the 30-tick window, {span} ticks from first to last");

            Assert.Equal(WindowSeconds, inWindow);
            Assert.Equal(distinct, total);
            Assert.Equal(span, total);
            Assert.Equal(0, whole);

            // The jobs run too: the killed workers' jobs come back through the dead-worker rescue.
            await Eventually.TrueAsync(
                async () => await database.ScalarAsync<long>("SELECT count(*) FROM recurring_probe_jobs WHERE tick < $1 AND status <> 'job_status_succeeded'", end) == 0,
                TimeSpan.FromSeconds(120),
                "every job of the window to succeed",
                Outputs,
                pollMs: 250);
            Assert.All(workers, w => Assert.DoesNotContain("[603]", w.Output, StringComparison.Ordinal));
        }
        finally
        {
            foreach (var worker in workers)
            {
                await worker.DisposeAsync();
            }
        }
    }

    private static Task AtTickAsync(ReliabilityDatabase database, DateTimeOffset tick, Func<string> diagnostics) =>
        Eventually.TrueAsync(
            async () => await database.ScalarAsync<long>("SELECT count(*) FROM recurring_probe_jobs WHERE tick >= $1", tick) > 0,
            TimeSpan.FromSeconds(120),
            $"the job of the tick {tick:HH:mm:ss}",
            diagnostics,
            pollMs: 100);
}
