using EfJobs.Diagnostics;
using Microsoft.Extensions.Logging;

namespace EfJobs.Runner;

/// <summary>
/// The start/stop contract of every runner component that owns a loop (River's <c>startstop</c>): <see cref="Start"/>
/// and <see cref="StopAsync"/> are idempotent, the loop runs on the thread pool, and a loop that throws is logged and
/// started again after a backoff instead of dying silently.
/// </summary>
internal abstract class ServiceLoop(string name, ILogger logger, TimeProvider time)
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _task;

    /// <summary>The loop's name in log lines and health reports ("heartbeat send_mail_jobs").</summary>
    public string Name { get; } = name;

    protected ILogger Logger { get; } = logger;

    protected TimeProvider Time { get; } = time;

    public bool IsRunning => _task is { IsCompleted: false };

    public void Start()
    {
        if (_stop.IsCancellationRequested || Interlocked.CompareExchange(ref _task, Task.CompletedTask, null) is not null)
        {
            return;
        }

        _task = Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);
    }

    public async Task StopAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }

        if (Volatile.Read(ref _task) is { } task)
        {
            await task.ConfigureAwait(false);
        }
    }

    /// <summary>The loop; returns or throws <see cref="OperationCanceledException"/> when <paramref name="stop"/> is cancelled.</summary>
    protected abstract Task ExecuteAsync(CancellationToken stop);

    /// <summary>Waits out a delay; false when the loop is stopping.</summary>
    protected async Task<bool> DelayAsync(TimeSpan delay, CancellationToken stop)
    {
        try
        {
            await Task.Delay(delay, Time, stop).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task RunAsync(CancellationToken stop)
    {
        for (var failures = 0; !stop.IsCancellationRequested; failures++)
        {
            try
            {
                await ExecuteAsync(stop).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                var delay = RetryPolicy.Write.Delay(failures);
                Log.LoopFailed(Logger, exception, Name, delay);
                if (!await DelayAsync(delay, stop).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
    }
}
