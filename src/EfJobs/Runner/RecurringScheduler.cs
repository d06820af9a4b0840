using EfJobs.Diagnostics;
using EfJobs.Model;
using EfJobs.Queue;

namespace EfJobs.Runner;

/// <summary>
/// Makes the jobs of the recurring schedules this process declares. Every process runs one; there is no leader.
/// At start it declares the schedules (upsert, and disables those no longer declared); then, at each tick, it reads
/// the schedules' rows, plans the due ticks (<see cref="RecurringPlan"/>) and claims each with a compare-and-set
/// that inserts the job in the same transaction, so each tick makes one job however many processes try.
/// </summary>
/// <remarks>
/// It wakes at the earliest next tick of its schedules (at least every <see cref="MaxSleep"/>, so a clock change or
/// a resume by another process is seen soon), reads time from <see cref="TimeProvider"/>, and retries a failed pass
/// with <see cref="RetryPolicy.Write"/>: a tick whose claim failed is still unclaimed and is tried again.
/// </remarks>
internal sealed class RecurringScheduler(IJobDatabase database, IReadOnlyList<RecurringSchedule> schedules, JobRunnerContext runner)
    : ServiceLoop("recurring scheduler", runner.Logger, runner.TimeProvider)
{
    internal static readonly TimeSpan MaxSleep = TimeSpan.FromSeconds(30);

    // A timer may fire a moment before its time; waking this much later keeps a pass from finding its tick not due yet.
    private static readonly TimeSpan WakeMargin = TimeSpan.FromMilliseconds(5);

    private readonly Dictionary<string, JobTable> _tables = [];
    private bool _declared;

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        var failures = 0;
        while (!stop.IsCancellationRequested)
        {
            TimeSpan delay;
            try
            {
                await RunPassAsync(stop).ConfigureAwait(false);
                failures = 0;
                delay = UntilNextTick();
            }
            catch (Exception exception) when (!stop.IsCancellationRequested)
            {
                delay = RetryPolicy.Write.Delay(failures++);
                Log.RecurringPassFailed(Logger, exception, delay);
            }

            if (!await DelayAsync(delay, stop).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>One pass: declares the schedules if not done yet, then claims every due tick. Returns the jobs made.</summary>
    internal async Task<int> RunPassAsync(CancellationToken cancellationToken)
    {
        if (!_declared)
        {
            await DeclareAsync(cancellationToken).ConfigureAwait(false);
            _declared = true;
        }

        var now = Time.GetUtcNow();
        var names = schedules.Select(s => s.Name).ToArray();
        var rows = (await database.RunAsync((db, ct) => RecurringJobOperations.ReadAsync(db, names, ct), cancellationToken).ConfigureAwait(false))
            .ToDictionary(r => r.Name, StringComparer.Ordinal);
        var made = 0;
        foreach (var schedule in schedules)
        {
            if (!rows.TryGetValue(schedule.Name, out var row) || !row.Enabled || row.Paused
                || row.Cron != schedule.Cron || row.TimeZone != schedule.TimeZoneId)
            {
                continue;
            }

            foreach (var (tick, withJob) in RecurringPlan.Due(schedule, row.LastTick, row.Since, now))
            {
                var jobId = await ClaimAsync(schedule, tick, withJob, cancellationToken).ConfigureAwait(false);
                if (jobId is null)
                {
                    // Another process claimed this tick or a later one, or the row changed: the next pass reads it afresh.
                    continue;
                }

                if (jobId == Guid.Empty)
                {
                    Log.RecurringTickSkipped(Logger, schedule.Name, tick, withJob ? "the previous job has not finished (overlap policy Skip)" : "it was missed (misfire policy)");
                }
                else
                {
                    made++;
                    Log.RecurringJobEnqueued(Logger, schedule.Name, tick, jobId.Value);
                }
            }
        }

        return made;
    }

    private Task<Guid?> ClaimAsync(RecurringSchedule schedule, DateTimeOffset tick, bool withJob, CancellationToken cancellationToken) =>
        database.RunAsync(
            (db, ct) => RecurringJobOperations.ClaimTickAsync(
                db,
                schedule.Name,
                schedule.Cron,
                schedule.TimeZoneId,
                Table(db, schedule),
                tick,
                schedule.Options.Overlap == OverlapPolicy.Skip,
                withJob ? () => schedule.CreateJob(new RecurringTick(schedule.Name, tick, RunNow: false)) : null,
                ct),
            cancellationToken);

    private async Task DeclareAsync(CancellationToken cancellationToken)
    {
        var now = Time.GetUtcNow();
        var changed = await database.RunAsync(
            (db, ct) => RecurringJobOperations.DeclareAsync(db, [.. schedules.Select(s => (s.Name, Table(db, s).Name, s.Cron, s.TimeZoneId))], now, ct),
            cancellationToken).ConfigureAwait(false);
        Log.RecurringSchedulesDeclared(Logger, schedules.Count, changed);
    }

    private JobTable Table(Microsoft.EntityFrameworkCore.DbContext db, RecurringSchedule schedule)
    {
        lock (_tables)
        {
            if (!_tables.TryGetValue(schedule.Name, out var table))
            {
                table = JobTables.Get(db, schedule.JobType);
                _tables[schedule.Name] = table;
            }

            return table;
        }
    }

    private TimeSpan UntilNextTick()
    {
        var now = Time.GetUtcNow();
        var next = schedules.Select(s => s.NextTick(now)).Where(t => t is not null).Min();
        if (next is not { } tick)
        {
            return MaxSleep;
        }

        var wait = tick - now + WakeMargin;
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > MaxSleep ? MaxSleep : wait;
    }
}
