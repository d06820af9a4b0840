using System.Threading.Channels;

namespace EfJobs.Runner;

/// <summary>
/// An auto-reset signal for one waiter: a bounded channel of capacity one that drops extra writes, so any number of
/// <see cref="Set"/> calls before a wait collapse into one wake-up, a set is never lost, and a cancelled wait leaves
/// nothing behind to swallow the next one.
/// </summary>
internal sealed class WakeSignal
{
    private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    public void Set() => _channel.Writer.TryWrite(true);

    public async Task WaitAsync(CancellationToken cancellationToken) =>
        await _channel.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
}
