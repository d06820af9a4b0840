using EfJobs.Queue;
using EfJobs.Runner;
using EfJobs.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace EfJobs.Tests;

/// <summary>
/// Recurring jobs against PostgreSQL with <see cref="FakeTimeProvider"/>: the scheduler's passes are run by hand at
/// chosen instants, so daylight-saving days, downtimes and races are exact and take no waiting. Each job's payload
/// is its tick, so the assertions name the ticks that ran.
/// </summary>
public class RecurringJobTests(TestDatabase database) : DatabaseTest(database)
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    private readonly CapturingLoggerProvider _logs = new();

    [Fact]
    public async Task A_daily_0230_job_runs_once_on_the_spring_forward_day_at_the_change_and_once_the_next_day()
    {
        // Europe/Berlin, 2026-03-29: 02:00 CET becomes 03:00 CEST, so 02:30 does not exist that day.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 28, 12, 0, 0, TimeSpan.Zero));
        var schedule = Schedule("report", "30 2 * * *", Berlin);
        var a = Scheduler(time, schedule);
        var b = Scheduler(time, schedule);
        await DeclareAsync(a, b);

        await WalkAsync(time, new DateTimeOffset(2026, 3, 30, 12, 0, 0, TimeSpan.Zero), TimeSpan.FromMinutes(15), a, b);

        Assert.Equal(
            [Utc(2026, 3, 29, 1, 0), Utc(2026, 3, 30, 0, 30)], // 03:00 CEST at the change; then 02:30 CEST
            await TicksAsync());
    }

    [Fact]
    public async Task A_daily_0230_job_runs_once_on_the_fall_back_day_though_0230_occurs_twice()
    {
        // Europe/Berlin, 2026-10-25: 03:00 CEST becomes 02:00 CET, so 02:30 occurs at 00:30 and 01:30 UTC.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 10, 24, 12, 0, 0, TimeSpan.Zero));
        var schedule = Schedule("report", "30 2 * * *", Berlin);
        var a = Scheduler(time, schedule);
        var b = Scheduler(time, schedule);
        await DeclareAsync(a, b);

        await WalkAsync(time, new DateTimeOffset(2026, 10, 26, 12, 0, 0, TimeSpan.Zero), TimeSpan.FromMinutes(15), a, b);

        Assert.Equal(
            [Utc(2026, 10, 25, 0, 30), Utc(2026, 10, 26, 1, 30)], // the first 02:30 (CEST) only; then 02:30 CET
            await TicksAsync());
    }

    [Fact]
    public async Task Three_schedulers_racing_on_every_tick_of_an_every_second_schedule_make_one_job_per_tick()
    {
        var start = new DateTimeOffset(2026, 6, 1, 10, 0, 0, 500, TimeSpan.Zero);
        var time = new FakeTimeProvider(start);
        var schedule = Schedule("every-second", "* * * * * *", TimeZoneInfo.Utc);
        var schedulers = new[] { Scheduler(time, schedule), Scheduler(time, schedule), Scheduler(time, schedule) };
        await DeclareAsync(schedulers);

        var made = 0;
        for (var second = 0; second < 20; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            made += (await Task.WhenAll(schedulers.Select(s => s.RunPassAsync(CancellationToken.None)))).Sum();
        }

        var expected = Enumerable.Range(1, 20).Select(i => start.AddMilliseconds(-500).AddSeconds(i)).ToList();
        Assert.Equal(expected, await TicksAsync());
        Assert.Equal(20, made);
    }

    [Fact]
    public async Task A_restart_shorter_than_the_misfire_threshold_loses_no_tick_and_a_second_declaration_changes_nothing()
    {
        var start = new DateTimeOffset(2026, 6, 1, 10, 0, 0, 500, TimeSpan.Zero);
        var time = new FakeTimeProvider(start);
        var schedule = Schedule("every-second", "* * * * * *", TimeZoneInfo.Utc);
        var before = Scheduler(time, schedule);
        await DeclareAsync(before);
        time.Advance(TimeSpan.FromSeconds(3));
        await before.RunPassAsync(CancellationToken.None);

        // Every process is down for 40 s, then a new one (a deploy) declares the same schedule and runs.
        time.Advance(TimeSpan.FromSeconds(40));
        var after = Scheduler(time, schedule);
        await after.RunPassAsync(CancellationToken.None);

        var expected = Enumerable.Range(1, 43).Select(i => start.AddMilliseconds(-500).AddSeconds(i)).ToList();
        Assert.Equal(expected, await TicksAsync());
        Assert.Equal(start.UtcDateTime, await ScalarAsync<DateTime>("SELECT since FROM efjobs_recurring_schedules"));
    }

    [Theory]
    [InlineData(MisfirePolicy.RunOnce, new[] { 10, 15, 16 })]
    [InlineData(MisfirePolicy.Skip, new[] { 10, 16 })]
    [InlineData(MisfirePolicy.CatchUp, new[] { 10, 13, 14, 15, 16 })]
    public async Task Missed_hourly_ticks_follow_the_misfire_policy(MisfirePolicy policy, int[] hours)
    {
        var time = new FakeTimeProvider(Utc(2026, 6, 1, 9, 30));
        var schedule = Schedule("hourly", "0 * * * *", TimeZoneInfo.Utc, o =>
        {
            o.Misfire = policy;
            o.CatchUpLimit = 3;
        });
        var scheduler = Scheduler(time, schedule);
        await DeclareAsync(scheduler);
        await PassAtAsync(time, scheduler, Utc(2026, 6, 1, 10, 0).AddSeconds(5));

        // Down from 10:00:05 to 15:30: the ticks 11:00 to 15:00 are missed. Then on time again at 16:00.
        await PassAtAsync(time, scheduler, Utc(2026, 6, 1, 15, 30));
        await PassAtAsync(time, scheduler, Utc(2026, 6, 1, 16, 0).AddSeconds(5));

        Assert.Equal([.. hours.Select(h => Utc(2026, 6, 1, h, 0))], await TicksAsync());
        Assert.Equal(Utc(2026, 6, 1, 16, 0).UtcDateTime, await ScalarAsync<DateTime>("SELECT last_tick FROM efjobs_recurring_schedules"));
    }

    [Fact]
    public async Task A_missed_tick_older_than_the_grace_window_does_not_run()
    {
        var time = new FakeTimeProvider(Utc(2026, 6, 1, 12, 0));
        var schedule = Schedule("nightly", "0 3 * * *", TimeZoneInfo.Utc, o => o.MisfireGrace = TimeSpan.FromHours(1));
        var scheduler = Scheduler(time, schedule);
        await DeclareAsync(scheduler);
        await PassAtAsync(time, scheduler, Utc(2026, 6, 2, 3, 59)); // 59 minutes late: within the grace window
        await PassAtAsync(time, scheduler, Utc(2026, 6, 3, 4, 1)); // 61 minutes late: dropped
        await PassAtAsync(time, scheduler, Utc(2026, 6, 4, 3, 0).AddSeconds(1));

        Assert.Equal([Utc(2026, 6, 2, 3, 0), Utc(2026, 6, 4, 3, 0)], await TicksAsync());
    }

    [Fact]
    public async Task Overlap_policy_Skip_claims_a_tick_without_a_job_while_the_previous_job_is_unfinished()
    {
        var time = new FakeTimeProvider(Utc(2026, 6, 1, 9, 30));
        var schedule = Schedule("hourly", "0 * * * *", TimeZoneInfo.Utc, o => o.Overlap = OverlapPolicy.Skip);
        var scheduler = Scheduler(time, schedule);
        await DeclareAsync(scheduler);
        await PassAtAsync(time, scheduler, Utc(2026, 6, 1, 10, 0).AddSeconds(1));
        await PassAtAsync(time, scheduler, Utc(2026, 6, 1, 11, 0).AddSeconds(1)); // 10:00's job is not started: skipped
        await ExecuteAsync("UPDATE test_jobs SET status = 'job_status_running'");
        await PassAtAsync(time, scheduler, Utc(2026, 6, 1, 12, 0).AddSeconds(1)); // still running: skipped
        await ExecuteAsync("UPDATE test_jobs SET status = 'job_status_succeeded'");
        await PassAtAsync(time, scheduler, Utc(2026, 6, 1, 13, 0).AddSeconds(1));

        Assert.Equal([Utc(2026, 6, 1, 10, 0), Utc(2026, 6, 1, 13, 0)], await TicksAsync());
        Assert.Equal(Utc(2026, 6, 1, 13, 0).UtcDateTime, await ScalarAsync<DateTime>("SELECT last_tick FROM efjobs_recurring_schedules"));
        Assert.Equal(2, _logs.Entries.Count(e => e.EventId == 602));
    }

    [Fact]
    public async Task A_changed_schedule_is_updated_at_the_next_start_a_removed_one_is_disabled_and_a_stale_process_claims_nothing()
    {
        var time = new FakeTimeProvider(Utc(2026, 6, 1, 9, 30));
        var oldHourly = Schedule("hourly", "0 * * * *", TimeZoneInfo.Utc);
        var oldProcess = Scheduler(time, oldHourly, Schedule("removed", "0 * * * *", TimeZoneInfo.Utc));
        await DeclareAsync(oldProcess);
        await PassAtAsync(time, oldProcess, Utc(2026, 6, 1, 10, 0).AddSeconds(1));
        Assert.Equal(2, await ScalarAsync<long>("SELECT count(*) FROM test_jobs"));

        // The new code: "hourly" runs at half past, "removed" is gone.
        var newProcess = Scheduler(time, Schedule("hourly", "30 * * * *", TimeZoneInfo.Utc));
        time.SetUtcNow(Utc(2026, 6, 1, 10, 10));
        await newProcess.RunPassAsync(CancellationToken.None);
        Assert.Equal("30 * * * *", await ScalarAsync<string>("SELECT cron FROM efjobs_recurring_schedules WHERE name = 'hourly'"));
        Assert.False(await ScalarAsync<bool>("SELECT enabled FROM efjobs_recurring_schedules WHERE name = 'removed'"));

        // At 11:00 the old process, still running, tries its old definition; at 10:30 and 11:30 the new one runs.
        await PassAtAsync(time, newProcess, Utc(2026, 6, 1, 10, 30).AddSeconds(1));
        await PassAtAsync(time, oldProcess, Utc(2026, 6, 1, 11, 0).AddSeconds(1));
        await PassAtAsync(time, newProcess, Utc(2026, 6, 1, 11, 30).AddSeconds(1));

        Assert.Equal(
            [Utc(2026, 6, 1, 10, 0), Utc(2026, 6, 1, 10, 0), Utc(2026, 6, 1, 10, 30), Utc(2026, 6, 1, 11, 30)],
            await TicksAsync());
    }

    [Fact]
    public async Task Pause_stops_ticks_resume_does_not_catch_them_up_run_now_enqueues_at_once_and_the_list_shows_the_state()
    {
        var time = new FakeTimeProvider(Utc(2026, 6, 1, 9, 30));
        var schedule = Schedule("hourly", "0 * * * *", TimeZoneInfo.Utc);
        var scheduler = Scheduler(time, schedule);
        var jobs = new RecurringJobs(JobDatabase(), [schedule], time, new LoggerFactory([_logs]).CreateLogger("EfJobs"));
        await DeclareAsync(scheduler);
        await PassAtAsync(time, scheduler, Utc(2026, 6, 1, 10, 0).AddSeconds(1));

        await jobs.PauseAsync("hourly");
        var paused = Assert.Single(await jobs.ListAsync());
        Assert.True(paused.Paused);
        Assert.Null(paused.NextTick);
        await PassAtAsync(time, scheduler, Utc(2026, 6, 1, 11, 0).AddSeconds(1));
        await PassAtAsync(time, scheduler, Utc(2026, 6, 1, 11, 30));

        var runNow = await jobs.RunNowAsync("hourly");
        await jobs.ResumeAsync("hourly");
        await PassAtAsync(time, scheduler, Utc(2026, 6, 1, 11, 30).AddSeconds(1)); // 11:00, missed while paused, stays missed
        await PassAtAsync(time, scheduler, Utc(2026, 6, 1, 12, 0).AddSeconds(1));

        Assert.Equal([Utc(2026, 6, 1, 10, 0), Utc(2026, 6, 1, 12, 0)], await TicksAsync());
        await using (var db = CreateContext())
        {
            Assert.Equal("now " + Utc(2026, 6, 1, 11, 30).ToString("o"), (await db.TestJobs.SingleAsync(j => j.Id == runNow)).Payload);
        }

        var listed = Assert.Single(await jobs.ListAsync());
        Assert.Equal("hourly", listed.Name);
        Assert.Equal(typeof(TestJob), listed.JobType);
        Assert.Equal("test_jobs", listed.JobTable);
        Assert.False(listed.Paused);
        Assert.True(listed.Enabled);
        Assert.Equal(Utc(2026, 6, 1, 12, 0), listed.LastTick);
        Assert.Equal(Utc(2026, 6, 1, 13, 0), listed.NextTick);
        await Assert.ThrowsAsync<KeyNotFoundException>(() => jobs.PauseAsync("no-such-schedule"));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => jobs.RunNowAsync("no-such-schedule"));
    }

    [Fact]
    public async Task The_hosted_runner_makes_recurring_jobs_and_IRecurringJobs_is_resolved_from_DI()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(new JobProbe());
        builder.Services.AddDbContext<TestDbContext>(o => o.UseNpgsql(Database.ConnectionString, npgsql => npgsql.UseEfJobs()));
        builder.Services.AddEfJobs<TestDbContext>(jobs => jobs
            .AddJob<TestJob, TestJobHandler>()
            .AddRecurring("every-second", "* * * * * *", TimeZoneInfo.Utc, () => new TestJob { Payload = "tick" }));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            await Eventually.TrueAsync(
                async () => await ScalarAsync<long>("SELECT count(*) FROM test_jobs WHERE status = 'job_status_succeeded'") >= 2,
                TimeSpan.FromSeconds(30),
                "two recurring jobs to run");
            var listed = Assert.Single(await host.Services.GetRequiredService<IRecurringJobs>().ListAsync());
            Assert.NotNull(listed.LastTick);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public void Invalid_declarations_fail_at_once_with_a_message_naming_the_schedule_and_the_setting()
    {
        var services = new ServiceCollection();
        var bad = Assert.Throws<ArgumentException>(() => services.AddEfJobs<TestDbContext>(jobs => jobs.AddRecurring("r", "61 * * * *", TimeZoneInfo.Utc, () => new TestJob())));
        Assert.Contains("'r'", bad.Message, StringComparison.Ordinal);
        var option = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddEfJobs<TestDbContext>(jobs => jobs.AddRecurring("r", "* * * * *", TimeZoneInfo.Utc, () => new TestJob(), o => o.CatchUpLimit = 0)));
        Assert.Contains("CatchUpLimit", option.Message, StringComparison.Ordinal);
        var twice = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddEfJobs<TestDbContext>(jobs => jobs
            .AddRecurring("r", "* * * * *", TimeZoneInfo.Utc, () => new TestJob())
            .AddRecurring("r", "* * * * *", TimeZoneInfo.Utc, () => new TestJob())));
        Assert.Contains("twice", twice.Message, StringComparison.Ordinal);
    }

    private static DateTimeOffset Utc(int year, int month, int day, int hour, int minute) => new(year, month, day, hour, minute, 0, TimeSpan.Zero);

    private static RecurringSchedule<TestJob> Schedule(string name, string cron, TimeZoneInfo zone, Action<RecurringJobOptions>? configure = null)
    {
        var options = new RecurringJobOptions();
        configure?.Invoke(options);
        Assert.Null(options.Validate());
        return new RecurringSchedule<TestJob>(name, cron, zone, options, tick => new TestJob { Payload = (tick.RunNow ? "now " : "") + tick.Time.ToString("o") });
    }

    private RecurringScheduler Scheduler(TimeProvider time, params RecurringSchedule[] schedules) =>
        new(JobDatabase(), schedules, new JobRunnerContext(new EfJobsOptions(), time, new LoggerFactory([_logs]).CreateLogger("EfJobs")));

    private JobDatabase<TestDbContext> JobDatabase()
    {
        var services = new ServiceCollection();
        services.AddDbContext<TestDbContext>(o => o.UseNpgsql(Database.ConnectionString, npgsql => npgsql.UseEfJobs()));
        return new JobDatabase<TestDbContext>(services.BuildServiceProvider());
    }

    // The first pass of a scheduler declares its schedules (since = now); it makes no job at the instant it declares.
    private static async Task DeclareAsync(params RecurringScheduler[] schedulers)
    {
        foreach (var scheduler in schedulers)
        {
            Assert.Equal(0, await scheduler.RunPassAsync(CancellationToken.None));
        }
    }

    private static async Task PassAtAsync(FakeTimeProvider time, RecurringScheduler scheduler, DateTimeOffset at)
    {
        time.SetUtcNow(at);
        await scheduler.RunPassAsync(CancellationToken.None);
    }

    // Moves the clock in steps to the end, every scheduler running a pass at each step (concurrently).
    private static async Task WalkAsync(FakeTimeProvider time, DateTimeOffset end, TimeSpan step, params RecurringScheduler[] schedulers)
    {
        while (time.GetUtcNow() < end)
        {
            time.Advance(step);
            await Task.WhenAll(schedulers.Select(s => s.RunPassAsync(CancellationToken.None)));
        }
    }

    // The ticks of the scheduled jobs (not those of run now), in order.
    private async Task<List<DateTimeOffset>> TicksAsync()
    {
        await using var db = CreateContext();
        var payloads = await db.TestJobs.Where(j => !j.Payload.StartsWith("now ")).Select(j => j.Payload).ToListAsync();
        return [.. payloads.Select(p => DateTimeOffset.Parse(p, System.Globalization.CultureInfo.InvariantCulture)).Order()];
    }
}
