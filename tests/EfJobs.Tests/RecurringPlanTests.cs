using EfJobs.Runner;

namespace EfJobs.Tests;

/// <summary>The misfire policy as a pure function (<see cref="RecurringPlan"/>): which ticks are tried, which make a job.</summary>
public class RecurringPlanTests
{
    private static readonly DateTimeOffset Since = new(2026, 6, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void On_time_ticks_run_one_job_each_and_missed_ones_follow_the_policy()
    {
        // Every minute; last claimed 10:00; now 10:10:30 with a 2-minute threshold: 10:09 and 10:10 are on time,
        // 10:01 to 10:08 are missed.
        var now = Since.AddMinutes(10).AddSeconds(30);
        DateTimeOffset At(int minute) => Since.AddMinutes(minute);

        Assert.Equal([(At(8), true), (At(9), true), (At(10), true)], Plan(MisfirePolicy.RunOnce, now));
        Assert.Equal([(At(9), true), (At(10), true)], Plan(MisfirePolicy.Skip, now));
        Assert.Equal([(At(6), true), (At(7), true), (At(8), true), (At(9), true), (At(10), true)], Plan(MisfirePolicy.CatchUp, now));
    }

    [Fact]
    public void When_every_due_tick_was_missed_Skip_claims_the_latest_without_a_job_so_no_later_pass_reads_them_again()
    {
        // Every 5 minutes, a 10 s threshold, now 10:35:30: 10:05 to 10:35 are all missed.
        var now = Since.AddMinutes(35).AddSeconds(30);
        Assert.Equal([(Since.AddMinutes(35), false)], Plan(MisfirePolicy.Skip, now, threshold: TimeSpan.FromSeconds(10), everyMinutes: 5));
        Assert.Equal([(Since.AddMinutes(35), true)], Plan(MisfirePolicy.RunOnce, now, threshold: TimeSpan.FromSeconds(10), everyMinutes: 5));
    }

    [Fact]
    public void Nothing_is_due_before_the_first_tick_after_since_and_ticks_are_never_planned_twice()
    {
        var schedule = Schedule(MisfirePolicy.RunOnce, TimeSpan.FromMinutes(1), "* * * * *");
        Assert.Empty(RecurringPlan.Due(schedule, null, Since, Since.AddSeconds(59)));
        Assert.Empty(RecurringPlan.Due(schedule, Since.AddMinutes(1), Since, Since.AddMinutes(1).AddSeconds(59)));
        Assert.Equal([(Since.AddMinutes(2), true)], RecurringPlan.Due(schedule, Since.AddMinutes(1), Since, Since.AddMinutes(2)));
    }

    private static List<(DateTimeOffset, bool)> Plan(MisfirePolicy policy, DateTimeOffset now, TimeSpan? threshold = null, int everyMinutes = 1) =>
        RecurringPlan.Due(Schedule(policy, threshold ?? TimeSpan.FromMinutes(2), everyMinutes == 1 ? "* * * * *" : $"*/{everyMinutes} * * * *"), Since, Since, now);

    private static RecurringSchedule<Infrastructure.TestJob> Schedule(MisfirePolicy policy, TimeSpan threshold, string cron) =>
        new("plan", cron, TimeZoneInfo.Utc, new RecurringJobOptions { Misfire = policy, MisfireThreshold = threshold, CatchUpLimit = 3 }, _ => new Infrastructure.TestJob());
}
