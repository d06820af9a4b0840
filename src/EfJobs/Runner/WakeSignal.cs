namespace EfJobs.Runner;

/// <summary>
/// An auto-reset signal for one waiter. Any number of Set calls before a wait collapse into one wake-up, so a burst of
/// notifications costs one fetch, and a Set is never lost: "work is waiting" stays true until the waiter sees it.
/// </summary>
internal sealed class WakeSignal
{
    private readonly object _gate = new();
    private TaskCompletionSource? _waiter;
    private bool _isSet;

    public void Set()
    {
        TaskCompletionSource? waiter;
        lock (_gate)
        {
            waiter = _waiter;
            _waiter = null;
            _isSet = waiter is null;
        }

        waiter?.TrySetResult();
    }

    public Task WaitAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_isSet)
            {
                _isSet = false;
                return Task.CompletedTask;
            }

            _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _waiter.Task.WaitAsync(cancellationToken);
        }
    }
}
