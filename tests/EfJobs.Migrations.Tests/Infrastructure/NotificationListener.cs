using Npgsql;

namespace EfJobs.Migrations.Tests.Infrastructure;

/// <summary>A dedicated LISTEN connection that records the channels it is notified on.</summary>
public sealed class NotificationListener : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly List<string> _channels = [];

    private NotificationListener(NpgsqlConnection connection)
    {
        _connection = connection;
        _connection.Notification += (_, e) =>
        {
            lock (_channels)
            {
                _channels.Add(e.Channel);
            }
        };
    }

    public static Task<NotificationListener> ListenAsync(ScratchDatabase database, string channel) => ListenAsync(database, [channel]);

    public static async Task<NotificationListener> ListenAsync(ScratchDatabase database, IEnumerable<string> channels)
    {
        var connection = await database.OpenAsync();
        foreach (var channel in channels)
        {
            await using var listen = new NpgsqlCommand($"LISTEN \"{channel.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
            await listen.ExecuteNonQueryAsync();
        }

        return new NotificationListener(connection);
    }

    public IReadOnlyList<string> Channels
    {
        get
        {
            lock (_channels)
            {
                return _channels.ToList();
            }
        }
    }

    /// <summary>Waits up to <paramref name="timeout"/> for a notification; true when one arrived.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout) => _connection.WaitAsync(timeout);

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
