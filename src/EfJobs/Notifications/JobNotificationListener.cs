using EfJobs.Diagnostics;
using EfJobs.Model;
using EfJobs.Runner;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace EfJobs.Notifications;

/// <summary>
/// The process's one LISTEN connection, for every job type: a notification signals the runner of its table. When
/// the connection drops it reconnects with backoff (0.5 s doubling to 60 s), LISTENs again, and signals every
/// runner once, so jobs inserted while it was down do not wait for a poll.
/// </summary>
/// <remarks>
/// The connection is dedicated and unpooled (LISTEN state must not leak into a pooled connection, nor go through a
/// transaction pooler), and uses TCP keepalives so a half-open connection is noticed.
/// </remarks>
internal sealed class JobNotificationListener(Func<NpgsqlConnection> createConnection, IReadOnlyList<IJobTypeRunner> runners, JobRunnerContext runner)
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(60);

    private readonly Dictionary<string, IJobTypeRunner> _byChannel = runners.ToDictionary(r => r.Table.Channel, StringComparer.Ordinal);

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
        var delay = FirstRetryDelay;
        var listen = string.Join("; ", _byChannel.Keys.Select(channel => "LISTEN " + PgIdentifier.Quote(channel)));
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var connection = createConnection();
                await using (connection.ConfigureAwait(false))
                {
                    connection.Notification += OnNotification;
                    await connection.OpenAsync(stop).ConfigureAwait(false);
                    await using (var command = new NpgsqlCommand(listen, connection))
                    {
                        await command.ExecuteNonQueryAsync(stop).ConfigureAwait(false);
                    }

                    Log.Listening(runner.Logger, string.Join(", ", _byChannel.Keys));
                    delay = FirstRetryDelay;
                    foreach (var typeRunner in _byChannel.Values)
                    {
                        typeRunner.Signal();
                    }

                    while (true)
                    {
                        await connection.WaitAsync(stop).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                Log.ListenerFailed(runner.Logger, exception, delay);
                try
                {
                    await Task.Delay(delay, runner.TimeProvider, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                delay = delay * 2 < MaxRetryDelay ? delay * 2 : MaxRetryDelay;
            }
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (_byChannel.TryGetValue(e.Channel, out var typeRunner))
        {
            typeRunner.Signal();
        }
    }
}
