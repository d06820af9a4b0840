using EfJobs.Configuration;
using EfJobs.Diagnostics;
using EfJobs.Model;
using EfJobs.Queue;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace EfJobs.Runner;

/// <summary>
/// Returns, within seconds, the running jobs of EfJobs workers whose database session is gone (killed, crashed, out of
/// memory): one read over every job table of the process per <see cref="CheckInterval"/> finds workers whose liveness
/// lock (<see cref="WorkerLiveness"/>) is missing, and a worker found missing in two checks in a row has its rows
/// returned (retry, due now; failed at the last attempt, as stale recovery does). Two sightings, so that a worker
/// whose LISTEN connection is reconnecting (a database restart ends every session) keeps its jobs.
/// </summary>
internal sealed class DeadWorkerRescuer(IJobDatabase database, IReadOnlyList<(JobTable Table, int MaxAttempts)> tables, Action<JobTable> wake, JobRunnerContext runner)
    : ServiceLoop("dead-worker rescuer", runner.Logger, runner.TimeProvider)
{
    /// <summary>How often the liveness locks are checked: with the second sighting, a killed worker's jobs are back within about twice this.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1.5);

    private readonly string _findSql = JobQueueSql.DeadWorkers([.. tables.Select(t => t.Table)]);
    private readonly string _rescueSql = JobQueueSql.RescueDeadWorkers([.. tables.Select(t => t.Table)]);
    private HashSet<Guid> _suspects = [];
    private int _failures;

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(CheckInterval, Time);
        while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
        {
            try
            {
                await CheckAsync(stop).ConfigureAwait(false);
                _failures = 0;
            }
            catch (Exception exception) when (!stop.IsCancellationRequested)
            {
                // The database is away (or not migrated yet); the next tick tries again, and the suspects are judged
                // afresh. Logged once per outage and then once a minute, not every tick: the fetch logs the outage too.
                _suspects = [];
                if (_failures++ % 40 == 0)
                {
                    Log.DeadWorkerCheckFailed(Logger, exception);
                }
            }
        }
    }

    private async Task CheckAsync(CancellationToken stop)
    {
        var dead = await database.RunAsync(
            (db, ct) => db.Database.SqlQueryRaw<Guid>(_findSql).ToListAsync(ct),
            stop).ConfigureAwait(false);
        var confirmed = dead.Where(id => id != runner.WorkerId && _suspects.Contains(id)).ToArray();
        _suspects = [.. dead];
        if (confirmed.Length == 0)
        {
            return;
        }

        var error = JobErrorText.Bound($"Worker lost its database session (killed or crashed); released for another attempt by worker {runner.WorkerId}");
        var rescued = await database.RunAsync(
            async (db, ct) =>
            {
                // ADO rather than EF: a WITH holding UPDATEs must stay the top-level statement, never a subquery.
                await using var command = new NpgsqlCommand(_rescueSql, (NpgsqlConnection)db.Database.GetDbConnection());
                command.Parameters.Add(new NpgsqlParameter<Guid[]>("dead", confirmed));
                command.Parameters.Add(new NpgsqlParameter<string>("error", error));
                for (var i = 0; i < tables.Count; i++)
                {
                    command.Parameters.Add(new NpgsqlParameter<int>($"max_attempts_{i}", tables[i].MaxAttempts));
                }

                return (int)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
            },
            stop).ConfigureAwait(false);
        if (rescued > 0)
        {
            Log.DeadWorkersRescued(Logger, rescued, string.Join(", ", confirmed));
            foreach (var (table, _) in tables)
            {
                wake(table);
            }
        }
    }
}
