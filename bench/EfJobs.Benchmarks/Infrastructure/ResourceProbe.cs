using System.Diagnostics;

namespace EfJobs.Benchmarks.Infrastructure;

/// <summary>
/// Measures one variant: wall time, bytes allocated by every thread of the process (GC.GetTotalAllocatedBytes(true)
/// deltas), and the peak working set sampled every 50 ms while it runs. The OS's own peak (PeakWorkingSet64) only
/// ever grows over the process's life, so it could not tell one variant from the one before.
/// </summary>
public sealed class ResourceProbe : IAsyncDisposable
{
    private readonly long _startAllocated;
    private readonly long _startTimestamp;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampler;
    private long _peakWorkingSet;
    private long? _elapsedTicks;
    private long? _allocated;

    private ResourceProbe()
    {
        _startAllocated = GC.GetTotalAllocatedBytes(true);
        _peakWorkingSet = Environment.WorkingSet;
        _sampler = Task.Run(SampleAsync);
        _startTimestamp = Stopwatch.GetTimestamp();
    }

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_startTimestamp, _elapsedTicks ?? Stopwatch.GetTimestamp());

    public long AllocatedBytes => _allocated ?? GC.GetTotalAllocatedBytes(true) - _startAllocated;

    public long PeakWorkingSet => Math.Max(Interlocked.Read(ref _peakWorkingSet), Environment.WorkingSet);

    public static ResourceProbe Start() => new();

    /// <summary>Fixes the elapsed time and the allocation count; the sampler keeps going until disposal.</summary>
    public void Stop()
    {
        _elapsedTicks ??= Stopwatch.GetTimestamp();
        _allocated ??= GC.GetTotalAllocatedBytes(true) - _startAllocated;
    }

    public async ValueTask DisposeAsync()
    {
        Stop();
        await _stop.CancelAsync().ConfigureAwait(false);
        await _sampler.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task SampleAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                var current = Environment.WorkingSet;
                if (current > Interlocked.Read(ref _peakWorkingSet))
                {
                    Interlocked.Exchange(ref _peakWorkingSet, current);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
