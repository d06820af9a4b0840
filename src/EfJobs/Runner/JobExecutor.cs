using System.Diagnostics;
using EfJobs.Diagnostics;
using EfJobs.Model;
using EfJobs.Queue;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EfJobs.Runner;

/// <summary>
/// Runs one attempt: a fresh DI scope, the handler from it, the timeout, the activity and the log lines; returns the
/// outcome and writes nothing. <see cref="Interrupt"/> cancels every running handler's token at a graceful stop's
/// deadline.
/// </summary>
internal sealed class JobExecutor<TJob>(IServiceProvider services, JobRunnerContext runner, JobTable table, JobOptions options)
    where TJob : JobBase
{
    private readonly CancellationTokenSource _interrupt = new();
    private readonly ILogger _logger = runner.LoggerFor(LogCategories.Jobs);
    private readonly JobTypeTelemetry _telemetry = EfJobsTelemetry.For(table.DisplayName);

    public bool IsInterrupted => _interrupt.IsCancellationRequested;

    public void Interrupt() => _interrupt.Cancel();

    public async Task<JobOutcome> ExecuteAsync(TJob job)
    {
        var started = Stopwatch.GetTimestamp();
        Log.JobStarted(_logger, table.Name, job.Id, job.AttemptsCount, runner.WorkerId);
        var now = runner.TimeProvider.GetUtcNow().UtcDateTime;
        _telemetry.RecordPickupDelay(now - (job.RunAt > job.CreatedAt ? job.RunAt : job.CreatedAt));
        using var activity = _telemetry.StartAttempt(
            job.Id, job.AttemptsCount, runner.WorkerId, job.TraceParent, job.TraceState, runner.Options.TraceMode, now - job.CreatedAt, runner.Options.TraceChildWindow);
        using var jobToken = CancellationTokenSource.CreateLinkedTokenSource(_interrupt.Token);

        // With a timeout, on a task of its own, so a handler that blocks before its first await cannot hold off the
        // deadline. Without one the handler runs inline: the caller is a slot task on the thread pool already, and a
        // hop per job is what a drain of short jobs would pay for nothing.
        var work = options.Timeout is null ? PerformAsync(job, jobToken.Token) : Task.Run(() => PerformAsync(job, jobToken.Token), CancellationToken.None);
        try
        {
            if (options.Timeout is { } timeout)
            {
                await work.WaitAsync(timeout, runner.TimeProvider).ConfigureAwait(false);
            }
            else
            {
                await work.ConfigureAwait(false);
            }
        }
        catch (TimeoutException) when (!work.IsCompleted)
        {
            await jobToken.CancelAsync().ConfigureAwait(false);
            var duration = Stopwatch.GetElapsedTime(started);
            _telemetry.RecordAttempt(activity, JobOutcomes.TimedOut, duration);
            Log.JobTimedOut(_logger, table.Name, job.Id, job.AttemptsCount, options.Timeout!.Value, Outcome(job));
            return new JobOutcome(JobOutcomeKind.TimedOut, duration, JobErrorText.TimeoutReached, work);
        }
        catch (Exception) when (_interrupt.IsCancellationRequested)
        {
            // The stop's deadline cancelled the token: whatever the handler threw then, the attempt is given back.
            var duration = Stopwatch.GetElapsedTime(started);
            _telemetry.RecordAttempt(activity, JobOutcomes.Interrupted, duration);
            return new JobOutcome(JobOutcomeKind.Interrupted, duration);
        }
        catch (Exception exception)
        {
            var duration = Stopwatch.GetElapsedTime(started);
            var error = JobErrorText.Describe(exception, out var printable);
            var loggable = printable ? exception : new UnprintableException(exception.GetType(), error);
            _telemetry.RecordAttempt(activity, JobOutcomes.Failed, duration, loggable);
            Log.JobFailed(_logger, loggable, table.Name, job.Id, job.AttemptsCount, duration.TotalMilliseconds, Outcome(job));
            return new JobOutcome(JobOutcomeKind.Failed, duration, JobErrorText.Bound(error));
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        _telemetry.RecordAttempt(activity, JobOutcomes.Succeeded, elapsed);
        Log.JobSucceeded(_logger, table.Name, job.Id, job.AttemptsCount, elapsed.TotalMilliseconds);
        return new JobOutcome(JobOutcomeKind.Succeeded, elapsed);
    }

    private async Task PerformAsync(TJob job, CancellationToken cancellationToken)
    {
        var scope = services.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var handler = scope.ServiceProvider.GetRequiredService<IJobHandler<TJob>>();
            await handler.PerformAsync(job, cancellationToken).ConfigureAwait(false);
        }
    }

    private string Outcome(TJob job) =>
        job.AttemptsCount < options.MaxAttempts
            ? $"retry {job.AttemptsCount + 1} of {options.MaxAttempts} in {options.Backoff.Delay(job.AttemptsCount)}"
            : $"no attempts left (MaxAttempts {options.MaxAttempts})";
}
