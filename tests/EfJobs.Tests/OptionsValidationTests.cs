using EfJobs.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EfJobs.Tests;

/// <summary>
/// Settings the runtime's timers cannot take, and a host that does not run the runner, are rejected when the host
/// starts, with a message naming the setting (issue 11, inputs 5, 12 and 13).
/// </summary>
public class OptionsValidationTests(TestDatabase database) : DatabaseTest(database)
{
    // On the code before the runner rewrite (6601448) only the sign of these was checked: each host started, and then
    // the type's jobs stayed running with the handler never started (Timeout), the poll loop died and StopAsync threw
    // ArgumentOutOfRangeException (PollInterval), or the rescuer died after its first pass (StaleJobTimeout).
    [Theory]
    [InlineData("Timeout", "60 days")]
    [InlineData("Timeout", "max")]
    [InlineData("PollInterval", "365 days")]
    [InlineData("StaleJobTimeout", "200 days")]
    [InlineData("HeartbeatInterval", "100 days, no stale timeout")]
    [InlineData("HeartbeatInterval", "max, no stale timeout")]
    public async Task A_TimeSpan_option_longer_than_a_timer_can_wait_stops_the_host_at_start_naming_it(string option, string value)
    {
        using var host = RunnerHost.Build(Database, o =>
        {
            switch (option, value)
            {
                case ("Timeout", "60 days"): o.Timeout = TimeSpan.FromDays(60); break;
                case ("Timeout", "max"): o.Timeout = TimeSpan.MaxValue; break;
                case ("PollInterval", _): o.PollInterval = TimeSpan.FromDays(365); break;
                case ("StaleJobTimeout", _): o.StaleJobTimeout = TimeSpan.FromDays(200); break;
                case ("HeartbeatInterval", "100 days, no stale timeout"): o.StaleJobTimeout = null; o.HeartbeatInterval = TimeSpan.FromDays(100); break;
                case ("HeartbeatInterval", _): o.StaleJobTimeout = null; o.HeartbeatInterval = TimeSpan.MaxValue; break;
            }
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains($"JobOptions of TestJob: {option}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_retention_and_prune_settings_stop_the_host_at_start_naming_them()
    {
        using (var host = RunnerHost.Build(Database, o => o.SucceededRetention = TimeSpan.FromSeconds(-1)))
        {
            var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
            Assert.Contains("JobOptions of TestJob: SucceededRetention", error.Message, StringComparison.Ordinal);
        }

        using (var host = RunnerHost.Build(Database, configureRunner: o => o.PruneBatchSize = 0))
        {
            var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
            Assert.Contains("EfJobsOptions.PruneBatchSize", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_longest_values_a_timer_accepts_are_accepted()
    {
        // The bound is the runtime's, not a smaller one picked for safety: 49 days of each still start.
        using var host = RunnerHost.Build(Database, o =>
        {
            o.Timeout = TimeSpan.FromDays(49);
            o.PollInterval = TimeSpan.FromDays(49);
            o.StaleJobTimeout = TimeSpan.FromDays(49);
            o.HeartbeatInterval = TimeSpan.FromDays(48);
        });

        await host.StartAsync();
        await host.StopAsync();
    }

    // Before the rewrite nothing was validated with RunInHost = false: the host started.
    [Fact]
    public async Task With_RunInHost_false_a_bad_job_option_still_stops_the_host_at_start()
    {
        using var host = RunnerHost.Build(Database, o => o.MaxConcurrency = 0, o => o.RunInHost = false);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("JobOptions of TestJob: MaxConcurrency", error.Message, StringComparison.Ordinal);
    }

    // Before the rewrite a missing UseEfJobs() showed only as 42P01 at the first enqueue of an app that does not run jobs.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_context_without_UseEfJobs_stops_the_host_at_start_naming_UseEfJobs(bool runInHost)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(new JobProbe());
        builder.Services.AddDbContext<TestDbContext>(o => o.UseNpgsql(Database.ConnectionString));
        builder.Services.AddEfJobs<TestDbContext>(jobs =>
        {
            jobs.AddJob<TestJob, TestJobHandler>();
            jobs.Configure(o => o.RunInHost = runInHost);
        });
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("UseEfJobs()", error.Message, StringComparison.Ordinal);
    }

    // The test model maps OtherJob, QuotedNameJob and LongNameJob, and RunnerHost registers only TestJob. Before the
    // rewrite nothing was logged: their jobs waited in silence.
    [Fact]
    public async Task Job_types_in_the_model_that_no_AddJob_registers_are_named_in_a_warning_at_start()
    {
        await using var host = await RunnerHost.StartAsync(Database);

        var warning = Assert.Single(host.Logs.Entries, e => e.EventId == 507);
        Assert.Equal(LogLevel.Warning, warning.Level);
        var named = warning.Message.Split("will wait: ")[1].Split(". Register")[0].Split(", ").Order(StringComparer.Ordinal);
        Assert.Equal([nameof(LongNameJob), nameof(OtherJob), nameof(QuotedNameJob)], named);
    }

    [Theory]
    [InlineData("QueueSampleInterval")]
    [InlineData("TraceChildWindow")]
    [InlineData("TraceMode")]
    public async Task An_invalid_observability_option_stops_the_host_at_start_naming_it(string option)
    {
        using var host = RunnerHost.Build(Database, configureRunner: o =>
        {
            switch (option)
            {
                case "QueueSampleInterval": o.QueueSampleInterval = TimeSpan.Zero; break;
                case "TraceChildWindow": o.TraceChildWindow = TimeSpan.FromSeconds(-1); break;
                default: o.TraceMode = (JobTraceMode)42; break;
            }
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains($"EfJobsOptions.{option}", error.Message, StringComparison.Ordinal);
    }
}
