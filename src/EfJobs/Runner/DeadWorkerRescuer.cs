using EfJobs.Configuration;
using EfJobs.Diagnostics;
using EfJobs.Model;
using EfJobs.Queue;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace EfJobs.Runner;

/// <summary>
/// Returns, within seconds, the running jobs of EfJobs workers whose database session is gone (killed, crashed, out of
/// memory). Every <see cref="CheckInterval"/> one read over every job table of the process finds workers whose
/// liveness lock (<see cref="WorkerLiveness"/>) is missing; a worker still missing when looked at again
/// <see cref="ConfirmAfter"/> later has its rows returned (retry, due now; failed at the last attempt, as stale
/// recovery does). The second look spares a worker whose LISTEN connection is only reconnecting, and nothing is
/// returned in the first seconds after a database restart, which ends every session at once.
/// </summary>
/// <remarks>
/// It runs on the LISTEN connection, between notifications (<c>JobNotificationListener</c>'s session work): that
/// connection is dedicated and open, so a check is one statement, without a pool checkout or reset. An idle process
/// with ten job types stays under one statement per second, polls included.
/// </remarks>
internal sealed class DeadWorkerRescuer(IReadOnlyList<(JobTable Table, int MaxAttempts)> tables, Action<JobTable> wake, JobRunnerContext runner)
{
    /// <summary>How often the liveness locks are checked while no worker is missing.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(2.5);

    /// <summary>How long after a worker is first found missing it is looked at again, and its jobs returned if still missing.</summary>
    public static readonly TimeSpan ConfirmAfter = TimeSpan.FromSeconds(1);

    private readonly string _findSql = JobQueueSql.DeadWorkers([.. tables.Select(t => t.Table)]);
    private readonly string _rescueSql = JobQueueSql.RescueDeadWorkers([.. tables.Select(t => t.Table)]);
    private readonly ILogger _logger = runner.LoggerFor(LogCategories.Listener);
    private HashSet<Guid> _suspects = [];
    private int _failures;

    /// <summary>One check on <paramref name="connection"/>; returns the delay until the next one.</summary>
    /// <exception cref="NpgsqlException">The connection broke: the listener reconnects.</exception>
    public async Task<TimeSpan> CheckAsync(NpgsqlConnection connection, CancellationToken stop)
    {
        try
        {
            var dead = new HashSet<Guid>();
            await using (var find = new NpgsqlCommand(_findSql, connection))
            await using (var reader = await find.ExecuteReaderAsync(stop).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(stop).ConfigureAwait(false))
                {
                    dead.Add(reader.GetGuid(0));
                }
            }

            dead.Remove(runner.WorkerId);
            var confirmed = dead.Where(_suspects.Contains).ToArray();
            _suspects = dead;
            if (confirmed.Length > 0)
            {
                await RescueAsync(connection, confirmed, stop).ConfigureAwait(false);
            }

            _failures = 0;
            return _suspects.Count > 0 ? ConfirmAfter : CheckInterval;
        }
        catch (PostgresException exception) when (!stop.IsCancellationRequested)
        {
            // The database answered with an error (a table not migrated yet, a right missing, a serialization
            // failure): the connection is fine, so the listener goes on. Workers already confirmed dead stay suspects
            // and are tried again at the next confirmation rather than a whole check interval later. Logged once,
            // then about once a minute.
            if (_failures++ % 24 == 0)
            {
                Log.DeadWorkerCheckFailed(_logger, exception);
            }

            return _suspects.Count > 0 && _failures < 3 ? ConfirmAfter : CheckInterval;
        }
    }

    private async Task RescueAsync(NpgsqlConnection connection, Guid[] confirmed, CancellationToken stop)
    {
        var error = JobErrorText.Bound($"Worker lost its database session (killed or crashed); returned to the queue by worker {runner.WorkerId}");
        int rescued;
        await using (var command = new NpgsqlCommand(_rescueSql, connection))
        {
            command.Parameters.Add(new NpgsqlParameter<Guid[]>("dead", confirmed));
            command.Parameters.Add(new NpgsqlParameter<string>("error", error));
            for (var i = 0; i < tables.Count; i++)
            {
                command.Parameters.Add(new NpgsqlParameter<int>($"max_attempts_{i}", tables[i].MaxAttempts));
            }

            rescued = (int)(await command.ExecuteScalarAsync(stop).ConfigureAwait(false))!;
        }

        _suspects.ExceptWith(confirmed);
        if (rescued > 0)
        {
            Log.DeadWorkersRescued(_logger, rescued, string.Join(", ", confirmed));
            foreach (var (table, _) in tables)
            {
                wake(table);
            }
        }
    }
}
