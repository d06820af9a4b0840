using EfJobs.HealthChecks;
using EfJobs.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace EfJobs.Tests;

/// <summary>
/// <c>AddHealthChecks().AddEfJobs()</c> (issue 16): each check is driven into each of its states against the real
/// database: the runner with its LISTEN connection dropped, the queue with its oldest due job past each threshold,
/// a running row past its stale timeout and past twice it.
/// </summary>
public class HealthCheckTests(TestDatabase database) : DatabaseTest(database)
{
    [Fact]
    public async Task The_runner_check_is_healthy_while_listening_and_degraded_while_the_LISTEN_connection_is_down()
    {
        await using var host = await RunnerHost.StartAsync(Database, configureServices: s => s.AddHealthChecks().AddEfJobs());
        var runner = await CheckAsync(host.Host, EfJobsHealthChecks.Runner);
        Assert.Equal(HealthStatus.Healthy, runner.Status);

        // Keep it down: no new connection to the database is accepted while the listener's backend is terminated.
        await using (var server = new NpgsqlConnection(TestDatabase.ServerConnectionString))
        {
            await server.OpenAsync();
            await ServerAsync(server, $"ALTER DATABASE \"{Database.DatabaseName}\" ALLOW_CONNECTIONS false");
            try
            {
                await ServerAsync(server, $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'efjobs-listener-{host.Runner.WorkerId:N}'");
                await Eventually.TrueAsync(
                    async () => (await CheckAsync(host.Host, EfJobsHealthChecks.Runner)).Status == HealthStatus.Degraded,
                    TimeSpan.FromSeconds(20), "the runner check to report Degraded");
                var degraded = await CheckAsync(host.Host, EfJobsHealthChecks.Runner);
                Assert.Contains("polling only", degraded.Description, StringComparison.Ordinal);
                Assert.Equal(false, degraded.Data["listener_connected"]);
            }
            finally
            {
                await ServerAsync(server, $"ALTER DATABASE \"{Database.DatabaseName}\" ALLOW_CONNECTIONS true");
            }
        }

        await Eventually.TrueAsync(
            async () => (await CheckAsync(host.Host, EfJobsHealthChecks.Runner)).Status == HealthStatus.Healthy,
            TimeSpan.FromSeconds(20), "the runner check to be Healthy again once the listener reconnects");
    }

    [Fact]
    public async Task The_runner_check_is_degraded_while_a_tables_notification_triggers_are_missing()
    {
        await using var host = await RunnerHost.StartAsync(Database, o => o.PollInterval = TimeSpan.FromMilliseconds(200), configureServices: s => s.AddHealthChecks().AddEfJobs());
        await ExecuteAsync(Notifications.NotificationTriggerSql.Drop("test_jobs"));
        try
        {
            await Eventually.TrueAsync(
                async () => (await CheckAsync(host.Host, EfJobsHealthChecks.Runner)).Status == HealthStatus.Degraded,
                TimeSpan.FromSeconds(20), "the runner check to report Degraded");
            var degraded = await CheckAsync(host.Host, EfJobsHealthChecks.Runner);
            Assert.Contains("notification triggers of test_jobs are missing", degraded.Description, StringComparison.Ordinal);
        }
        finally
        {
            await ExecuteAsync(Notifications.NotificationTriggerSql.Create("test_jobs"));
        }

        await Eventually.TrueAsync(
            async () => (await CheckAsync(host.Host, EfJobsHealthChecks.Runner)).Status == HealthStatus.Healthy,
            TimeSpan.FromSeconds(20), "the runner check to be Healthy once the triggers are back");
    }

    [Fact]
    public async Task The_runner_check_is_unhealthy_before_the_runner_starts_and_after_it_stops_and_healthy_where_it_does_not_run()
    {
        using var notStarted = RunnerHost.Build(Database, configureServices: s => s.AddHealthChecks().AddEfJobs());
        Assert.Equal(HealthStatus.Unhealthy, (await CheckAsync(notStarted, EfJobsHealthChecks.Runner)).Status);

        await using (var host = await RunnerHost.StartAsync(Database, configureServices: s => s.AddHealthChecks().AddEfJobs()))
        {
            Assert.Equal(HealthStatus.Healthy, (await CheckAsync(host.Host, EfJobsHealthChecks.Runner)).Status);
            await host.Host.StopAsync();
            var stopped = await CheckAsync(host.Host, EfJobsHealthChecks.Runner);
            Assert.Equal(HealthStatus.Unhealthy, stopped.Status);
            Assert.Contains("not running", stopped.Description, StringComparison.Ordinal);
        }

        using var enqueueOnly = RunnerHost.Build(Database, configureRunner: o => o.RunInHost = false, configureServices: s => s.AddHealthChecks().AddEfJobs());
        await enqueueOnly.StartAsync();
        var elsewhere = await CheckAsync(enqueueOnly, EfJobsHealthChecks.Runner);
        Assert.Equal(HealthStatus.Healthy, elsewhere.Status);
        Assert.Contains("RunInHost", elsewhere.Description, StringComparison.Ordinal);
        await enqueueOnly.StopAsync();
    }

    [Fact]
    public async Task The_queue_latency_check_turns_degraded_then_unhealthy_as_the_oldest_due_job_ages_past_each_threshold()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var host = QueueHost(time);
        await host.StartAsync();

        // A job due for 30 s, and one created two hours ago but scheduled an hour from now (not due: not late).
        var jobs = await AddTestJobsAsync(2);
        await ExecuteAsync($"UPDATE test_jobs SET created_at = now() - interval '30 seconds', run_at = now() - interval '30 seconds' WHERE id = '{jobs[0].Id}'");
        await ExecuteAsync($"UPDATE test_jobs SET created_at = now() - interval '2 hours', run_at = now() + interval '1 hour' WHERE id = '{jobs[1].Id}'");
        var healthy = await CheckAsync(host, EfJobsHealthChecks.QueueLatency);
        Assert.Equal(HealthStatus.Healthy, healthy.Status);
        Assert.Equal(1L, healthy.Data["test_jobs.due"]);

        // Due since 3 minutes: past Degraded (1 min), not Unhealthy (5 min). The age counts from the later of run_at
        // and created_at.
        await ExecuteAsync($"UPDATE test_jobs SET created_at = now() - interval '3 minutes', run_at = now() - interval '1 hour' WHERE id = '{jobs[0].Id}'");
        time.Advance(TimeSpan.FromSeconds(16));
        var degraded = await CheckAsync(host, EfJobsHealthChecks.QueueLatency);
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Contains("test_jobs", degraded.Description, StringComparison.Ordinal);

        await ExecuteAsync($"UPDATE test_jobs SET created_at = now() - interval '6 minutes' WHERE id = '{jobs[0].Id}'");
        time.Advance(TimeSpan.FromSeconds(16));
        Assert.Equal(HealthStatus.Unhealthy, (await CheckAsync(host, EfJobsHealthChecks.QueueLatency)).Status);
        await host.StopAsync();
    }

    [Fact]
    public async Task The_queue_checks_share_one_sample_per_interval_however_often_they_run()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var host = QueueHost(time);
        await host.StartAsync();
        await AddTestJobsAsync(1);
        Assert.Equal(1L, (await CheckAsync(host, EfJobsHealthChecks.QueueLatency)).Data["test_jobs.due"]);

        // A second job is not seen until the interval (15 s by default) has passed on the runner's clock.
        await AddTestJobsAsync(1);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(1L, (await CheckAsync(host, EfJobsHealthChecks.QueueLatency)).Data["test_jobs.due"]);
        }

        time.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal(2L, (await CheckAsync(host, EfJobsHealthChecks.QueueLatency)).Data["test_jobs.due"]);
        await host.StopAsync();
    }

    [Fact]
    public async Task The_stale_jobs_check_reports_running_rows_past_the_stale_timeout_degraded_and_past_twice_it_unhealthy()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var host = QueueHost(time, o => o.StaleJobTimeout = TimeSpan.FromMinutes(10));
        await host.StartAsync();
        var job = (await AddTestJobsAsync(1)).Single();
        await ExecuteAsync($"UPDATE test_jobs SET status = 'job_status_running', locked_by = '{WorkerB}', attempts_count = 1, locked_at = now() - interval '5 minutes' WHERE id = '{job.Id}'");
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(host, EfJobsHealthChecks.StaleJobs)).Status);

        await ExecuteAsync($"UPDATE test_jobs SET locked_at = now() - interval '11 minutes' WHERE id = '{job.Id}'");
        time.Advance(TimeSpan.FromSeconds(16));
        var degraded = await CheckAsync(host, EfJobsHealthChecks.StaleJobs);
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Equal(1L, degraded.Data["test_jobs.stale"]);

        await ExecuteAsync($"UPDATE test_jobs SET locked_at = now() - interval '21 minutes' WHERE id = '{job.Id}'");
        time.Advance(TimeSpan.FromSeconds(16));
        Assert.Equal(HealthStatus.Unhealthy, (await CheckAsync(host, EfJobsHealthChecks.StaleJobs)).Status);
        await host.StopAsync();
    }

    [Fact]
    public async Task The_queue_checks_report_unhealthy_with_the_error_when_the_sample_fails()
    {
        using var host = QueueHost(new FakeTimeProvider(DateTimeOffset.UtcNow));
        await host.StartAsync();
        await ExecuteAsync("ALTER TABLE test_jobs RENAME TO test_jobs_away");
        try
        {
            var result = await CheckAsync(host, EfJobsHealthChecks.QueueLatency);
            Assert.Equal(HealthStatus.Unhealthy, result.Status);
            Assert.Contains("42P01", result.Description, StringComparison.Ordinal);
        }
        finally
        {
            await ExecuteAsync("ALTER TABLE test_jobs_away RENAME TO test_jobs");
        }

        await host.StopAsync();
    }

    [Fact]
    public void Thresholds_are_validated_when_the_checks_are_added()
    {
        var services = new ServiceCollection();
        var error = Assert.Throws<ArgumentException>(() => services.AddHealthChecks().AddEfJobs(o => o.QueueLatencyUnhealthy = TimeSpan.FromSeconds(10)));
        Assert.Contains("QueueLatencyUnhealthy", error.Message, StringComparison.Ordinal);
    }

    // A host that does not run the runner (nothing takes the jobs the test leaves due) on a fake clock, so the test
    // decides when the shared sample is old enough to be taken again.
    private IHost QueueHost(FakeTimeProvider time, Action<JobOptions>? configureJob = null) =>
        RunnerHost.Build(
            Database,
            configureJob,
            configureRunner: o => o.RunInHost = false,
            configureServices: s =>
            {
                s.AddSingleton<TimeProvider>(time);
                s.AddHealthChecks().AddEfJobs();
            });

    private static async Task<HealthReportEntry> CheckAsync(IHost host, string name)
    {
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(c => c.Name == name);
        return report.Entries[name];
    }

    private static async Task ServerAsync(NpgsqlConnection server, string sql)
    {
        await using var command = new NpgsqlCommand(sql, server);
        await command.ExecuteNonQueryAsync();
    }
}
