using EfJobs.Diagnostics;
using EfJobs.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EfJobs.Tests;

/// <summary>Log categories per component, success lines at Debug, stable event ids (issue 16).</summary>
public class LoggingTests(TestDatabase database) : DatabaseTest(database)
{
    [Fact]
    public async Task A_host_at_its_default_level_logs_no_line_per_successful_job()
    {
        await using var host = await RunnerHost.StartAsync(Database);
        await AddTestJobsAsync(5);
        await Eventually.TrueAsync(
            () => ScalarAsync<bool>("SELECT count(*) = 5 FROM test_jobs WHERE status = 'job_status_succeeded'"),
            TimeSpan.FromSeconds(20), "five jobs to succeed");

        Assert.DoesNotContain(host.Logs.Entries, e => e.Category == LogCategories.Jobs);
        Assert.Contains(host.Logs.Entries, e => e.EventId == EfJobsEventIds.RunnerStarting);
    }

    [Fact]
    public async Task Each_component_logs_under_its_own_category_and_successes_at_Debug()
    {
        var logs = new CapturingLoggerProvider { MinimumLevel = LogLevel.Debug };
        using var host = RunnerHost.Build(Database, o => o.MaxAttempts = 1, logs: logs, configureServices: s => s.AddLogging(l => l.SetMinimumLevel(LogLevel.Debug)));
        await host.StartAsync();
        await AddTestJobsAsync(1);
        await AddTestJobsAsync(1, (j, _) => j.Payload = "fail");
        await Eventually.TrueAsync(
            () => Task.FromResult(logs.Entries.Any(e => e.EventId == EfJobsEventIds.JobSucceeded) && logs.Entries.Any(e => e.EventId == EfJobsEventIds.JobFailed)),
            TimeSpan.FromSeconds(20), "a success and a failure to be logged");
        await host.StopAsync();

        var entries = logs.Entries.ToArray();
        Assert.All(entries.Where(e => e.EventId is EfJobsEventIds.JobStarted or EfJobsEventIds.JobSucceeded), e => Assert.Equal((LogLevel.Debug, LogCategories.Jobs), (e.Level, e.Category)));
        Assert.Equal((LogLevel.Warning, LogCategories.Jobs), entries.Where(e => e.EventId == EfJobsEventIds.JobFailed).Select(e => (e.Level, e.Category)).First());
        Assert.Equal(LogCategories.Runner, entries.First(e => e.EventId == EfJobsEventIds.RunnerStarting).Category);
        Assert.Equal(LogCategories.Listener, entries.First(e => e.EventId == EfJobsEventIds.Listening).Category);
        Assert.All(entries.Where(e => e.Category.StartsWith("EfJobs", StringComparison.Ordinal)), e => Assert.StartsWith("EfJobs.", e.Category, StringComparison.Ordinal));
    }

    [Fact]
    public void Event_ids_are_stable()
    {
        // Changing one of these breaks every filter and alert built on it: add a new id instead.
        Assert.Equal(
            [100, 200, 201, 202, 203, 300, 301, 401, 402, 505, 507, 600, 605, 700],
            [EfJobsEventIds.RunnerStarting, EfJobsEventIds.JobStarted, EfJobsEventIds.JobSucceeded, EfJobsEventIds.JobFailed, EfJobsEventIds.JobTimedOut,
             EfJobsEventIds.FetchFailed, EfJobsEventIds.StaleJobsRecovered, EfJobsEventIds.ListenerFailed, EfJobsEventIds.TriggersMissing,
             EfJobsEventIds.DeadWorkersRescued, EfJobsEventIds.UnservedJobTypes, EfJobsEventIds.RecurringSchedulesDeclared, EfJobsEventIds.PruneFailed, EfJobsEventIds.QueueSampleFailed]);
        var ids = typeof(EfJobsEventIds).GetFields().Select(f => (int)f.GetRawConstantValue()!).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }
}
