using EfJobs.Diagnostics;
using EfJobs.Model;
using EfJobs.Queue;
using Microsoft.Extensions.Logging;

namespace EfJobs.Runner;

/// <summary>The <see cref="IRecurringJobs"/> of the application: statements on the schedules table, and run now through the schedule's factory.</summary>
internal sealed class RecurringJobs(IJobDatabase database, IEnumerable<RecurringSchedule> schedules, TimeProvider time, ILogger logger) : IRecurringJobs
{
    private readonly Dictionary<string, RecurringSchedule> _schedules = schedules.ToDictionary(s => s.Name, StringComparer.Ordinal);

    public async Task<IReadOnlyList<RecurringJobInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        var rows = await database.RunAsync((db, ct) => RecurringJobOperations.ReadAsync(db, null, ct), cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var list = new List<RecurringJobInfo>(rows.Count);
        foreach (var row in rows)
        {
            _schedules.TryGetValue(row.Name, out var declared);
            var active = row.Enabled && !row.Paused;
            DateTimeOffset? next = null;
            if (active)
            {
                var tz = declared?.TimeZone ?? FindZone(row.TimeZone);
                var expression = declared?.Expression ?? TryParse(row.Name, row.Cron);
                next = tz is null || expression is null ? null : expression.GetNextOccurrence(now, tz, inclusive: false)?.ToUniversalTime();
            }

            list.Add(new RecurringJobInfo
            {
                Name = row.Name,
                JobType = declared?.JobType,
                JobTable = row.JobTable,
                Cron = row.Cron,
                TimeZone = row.TimeZone,
                Paused = row.Paused,
                Enabled = row.Enabled,
                LastTick = row.LastTick?.ToUniversalTime(),
                LastJobId = row.LastJobId,
                NextTick = next,
            });
        }

        return list;
    }

    public Task PauseAsync(string name, CancellationToken cancellationToken = default) => SetPausedAsync(name, true, cancellationToken);

    public Task ResumeAsync(string name, CancellationToken cancellationToken = default) => SetPausedAsync(name, false, cancellationToken);

    public async Task<Guid> RunNowAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!_schedules.TryGetValue(name, out var schedule))
        {
            throw new KeyNotFoundException($"This process declares no recurring job '{name}' (AddRecurring), so it cannot make its job.");
        }

        var job = schedule.CreateJob(new RecurringTick(name, time.GetUtcNow(), RunNow: true));
        var done = await database.RunAsync((db, ct) => RecurringJobOperations.RunNowAsync(db, name, job, ct), cancellationToken).ConfigureAwait(false);
        if (!done)
        {
            throw new KeyNotFoundException($"The recurring job '{name}' has no row in the schedules table yet: the runner declares it when it starts.");
        }

        Log.RecurringOperated(logger, name, "run now, job " + job.Id);
        return job.Id;
    }

    private async Task SetPausedAsync(string name, bool paused, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        var now = time.GetUtcNow();
        var found = await database.RunAsync((db, ct) => RecurringJobOperations.SetPausedAsync(db, name, paused, now, ct), cancellationToken).ConfigureAwait(false);
        if (!found)
        {
            throw new KeyNotFoundException($"No recurring job '{name}' is in the schedules table.");
        }

        Log.RecurringOperated(logger, name, paused ? "paused" : "resumed");
    }

    private static TimeZoneInfo? FindZone(string id) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : null;

    private static Cronos.CronExpression? TryParse(string name, string cron)
    {
        try
        {
            return RecurringSchedule.Parse(name, cron);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
