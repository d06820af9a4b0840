using System.Diagnostics;

namespace EfJobs.Benchmarks.Infrastructure;

/// <summary>Prints how far a variant is, once a second, to stderr (so the table on stdout stays clean).</summary>
public sealed class Progress : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _printer;

    private Progress(string label, long total, Func<long> done)
    {
        _printer = Task.Run(async () =>
        {
            var started = Stopwatch.GetTimestamp();
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
                {
                    var count = done();
                    var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                    Console.Error.WriteLine($"    {label}: {count:N0}/{total:N0} after {seconds:F0} s ({count / seconds:N0}/s)");
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    public static Progress Start(string label, long total, Func<long> done)
    {
        Console.Error.WriteLine($"  {label}: {total:N0} ...");
        return new Progress(label, total, done);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _printer.ConfigureAwait(false);
        _stop.Dispose();
    }
}
