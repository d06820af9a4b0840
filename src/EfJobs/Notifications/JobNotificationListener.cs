using EfJobs.Diagnostics;
using EfJobs.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace EfJobs.Notifications;

/// <summary>
/// The process's one LISTEN connection, for every job type: a notification on a channel calls that channel's
/// callback. When the connection drops it reconnects after <c>retryDelay</c> (the runner passes its reconnect policy:
/// 0.1 s doubling to 1.5 s with jitter, so jobs start within about two seconds of the database being back), runs
/// <c>sessionSql</c> again (the liveness lock), LISTENs again and calls <c>connected</c>, so jobs inserted while it
/// was down do not wait for a poll. Between notifications it runs <c>sessionWork</c> on the same connection when due
/// (the dead-worker check), so that periodic work costs no pool checkout.
/// </summary>
/// <remarks>
/// The connection is dedicated and unpooled (LISTEN state and session locks must not leak into a pooled connection,
/// nor go through a transaction pooler), and uses TCP keepalives so a half-open connection is noticed.
/// </remarks>
internal sealed class JobNotificationListener(
    Func<NpgsqlConnection> createConnection,
    IReadOnlyDictionary<string, Action> channels,
    string? sessionSql,
    Action<bool> connected,
    Func<int, TimeSpan> retryDelay,
    ILogger logger,
    TimeProvider time,
    Func<NpgsqlConnection, CancellationToken, Task<TimeSpan>>? sessionWork = null)
{
    /// <summary>The application_name of the LISTEN connection, so operators (and tests) can find it in pg_stat_activity.</summary>
    public static string ApplicationName(Guid workerId) => "efjobs-listener-" + workerId.ToString("N");

    /// <summary>Builds the LISTEN connection from the application's own context, keeping its credentials and settings.</summary>
    public static Func<NpgsqlConnection> ConnectionFactory(DbContext db, Guid workerId)
    {
        var template = (NpgsqlConnection)db.Database.GetDbConnection();
        var settings = new NpgsqlConnectionStringBuilder(db.Database.GetConnectionString() ?? template.ConnectionString)
        {
            Pooling = false,
            Multiplexing = false,
            KeepAlive = 15,
            TcpKeepAlive = true,
            ApplicationName = ApplicationName(workerId),
        };
        var connectionString = settings.ConnectionString;

        // A never-opened clone outlives the context it came from and keeps its credentials for every reconnect.
        var seed = template.CloneWith(connectionString);
        return () => seed.CloneWith(connectionString);
    }

    public async Task RunAsync(CancellationToken stop)
    {
        var failures = 0;
        var listen = string.Join("; ", channels.Keys.Select(channel => "LISTEN " + PgIdentifier.Quote(channel)));
        var setup = sessionSql is null ? listen : sessionSql + "; " + listen;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var connection = createConnection();
                await using (connection.ConfigureAwait(false))
                {
                    connection.Notification += OnNotification;
                    await connection.OpenAsync(stop).ConfigureAwait(false);
                    await using (var command = new NpgsqlCommand(setup, connection))
                    {
                        await command.ExecuteNonQueryAsync(stop).ConfigureAwait(false);
                    }

                    Log.Listening(logger, string.Join(", ", channels.Keys));
                    failures = 0;
                    connected(true);
                    try
                    {
                        await ListenAsync(connection, stop).ConfigureAwait(false);
                    }
                    finally
                    {
                        connected(false);
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                var delay = retryDelay(failures++);
                Log.ListenerFailed(logger, exception, delay);
                try
                {
                    await Task.Delay(delay, time, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    // Waits for notifications; between them, runs sessionWork on this same connection whenever it is due (it returns
    // the delay until its next run). The connection is dedicated and already open, so that work costs one statement a
    // run: no pool checkout and no reset.
    private async Task ListenAsync(NpgsqlConnection connection, CancellationToken stop)
    {
        if (sessionWork is null)
        {
            while (true)
            {
                await connection.WaitAsync(stop).ConfigureAwait(false);
            }
        }

        var due = time.GetUtcNow();
        while (true)
        {
            var wait = due - time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await connection.WaitAsync(wait, stop).ConfigureAwait(false);
                continue;
            }

            due = time.GetUtcNow() + await sessionWork(connection, stop).ConfigureAwait(false);
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (channels.TryGetValue(e.Channel, out var signal))
        {
            signal();
        }
    }
}
