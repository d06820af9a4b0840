namespace EfJobs.Runner;

/// <summary>A <see cref="RecurringSchedule"/> whose jobs are <typeparamref name="TJob"/>.</summary>
internal sealed class RecurringSchedule<TJob>(string name, string cron, TimeZoneInfo timeZone, RecurringJobOptions options, Func<RecurringTick, TJob> factory)
    : RecurringSchedule(name, cron, timeZone, options, typeof(TJob))
    where TJob : JobBase
{
    public override JobBase CreateJob(RecurringTick tick)
    {
        var job = factory(tick) ?? throw new InvalidOperationException($"The factory of the recurring job '{Name}' returned null.");
        job.RunAt = tick.Time.UtcDateTime;
        return job;
    }
}
