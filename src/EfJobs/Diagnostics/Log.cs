using Microsoft.Extensions.Logging;

namespace EfJobs.Diagnostics;

/// <summary>Every message the runner logs, source-generated; event ids are the public, stable <see cref="EfJobsEventIds"/>.</summary>
internal static partial class Log
{
    // 1xx: runner lifecycle
    [LoggerMessage(EfJobsEventIds.RunnerStarting, LogLevel.Information, "EfJobs worker {WorkerId} starting for {JobTypes}")]
    public static partial void RunnerStarting(ILogger logger, Guid workerId, string jobTypes);

    [LoggerMessage(EfJobsEventIds.RunnerStopped, LogLevel.Information, "EfJobs worker {WorkerId} stopped")]
    public static partial void RunnerStopped(ILogger logger, Guid workerId);

    [LoggerMessage(EfJobsEventIds.ShutdownTimeoutReached, LogLevel.Warning, "EfJobs worker {WorkerId}: the host's shutdown timeout passed with {Count} job(s) of {Table} still running; cancelling them")]
    public static partial void ShutdownTimeoutReached(ILogger logger, Guid workerId, string table, int count);

    [LoggerMessage(EfJobsEventIds.JobsReleased, LogLevel.Information, "EfJobs worker {WorkerId}: released {Count} interrupted job(s) of {Table} for another worker")]
    public static partial void JobsReleased(ILogger logger, Guid workerId, string table, int count);

    [LoggerMessage(EfJobsEventIds.ReleaseFailed, LogLevel.Error, "EfJobs worker {WorkerId}: could not release the interrupted jobs of {Table}; stale recovery will return them")]
    public static partial void ReleaseFailed(ILogger logger, Exception exception, Guid workerId, string table);

    // 2xx: jobs
    [LoggerMessage(EfJobsEventIds.JobStarted, LogLevel.Debug, "Job {Table} {JobId} attempt {Attempt} started on worker {WorkerId}")]
    public static partial void JobStarted(ILogger logger, string table, Guid jobId, int attempt, Guid workerId);

    [LoggerMessage(EfJobsEventIds.JobSucceeded, LogLevel.Debug, "Job {Table} {JobId} attempt {Attempt} succeeded in {DurationMs:0.0} ms")]
    public static partial void JobSucceeded(ILogger logger, string table, Guid jobId, int attempt, double durationMs);

    [LoggerMessage(EfJobsEventIds.JobFailed, LogLevel.Warning, "Job {Table} {JobId} attempt {Attempt} failed after {DurationMs:0.0} ms; {Outcome}")]
    public static partial void JobFailed(ILogger logger, Exception exception, string table, Guid jobId, int attempt, double durationMs, string outcome);

    [LoggerMessage(EfJobsEventIds.JobTimedOut, LogLevel.Warning, "Job {Table} {JobId} attempt {Attempt} timed out after {Timeout}; {Outcome}")]
    public static partial void JobTimedOut(ILogger logger, string table, Guid jobId, int attempt, TimeSpan timeout, string outcome);

    [LoggerMessage(EfJobsEventIds.ResultDiscarded, LogLevel.Warning, "Job {Table} {JobId} attempt {Attempt}: the result was not written because this worker no longer owns the attempt (it timed out, was rescued or released)")]
    public static partial void ResultDiscarded(ILogger logger, string table, Guid jobId, int attempt);

    [LoggerMessage(EfJobsEventIds.LateHandlerReturned, LogLevel.Warning, "Job {Table} {JobId} attempt {Attempt}: the handler returned {DurationMs:0.0} ms after its timeout; its slot is free again")]
    public static partial void LateHandlerReturned(ILogger logger, string table, Guid jobId, int attempt, double durationMs);

    [LoggerMessage(EfJobsEventIds.ResultNotRecorded, LogLevel.Error, "Job {Table} {JobId} attempt {Attempt}: could not record the result; stale recovery will return the job")]
    public static partial void ResultNotRecorded(ILogger logger, Exception exception, string table, Guid jobId, int attempt);

    // 3xx: queue housekeeping
    [LoggerMessage(EfJobsEventIds.FetchFailed, LogLevel.Error, "Fetching jobs of {Table} failed; trying again in {Delay}")]
    public static partial void FetchFailed(ILogger logger, Exception exception, string table, TimeSpan delay);

    [LoggerMessage(EfJobsEventIds.StaleJobsRecovered, LogLevel.Warning, "Recovered {Count} stale job(s) of {Table} whose worker stopped sending heartbeats")]
    public static partial void StaleJobsRecovered(ILogger logger, string table, int count);

    [LoggerMessage(EfJobsEventIds.RecoveryFailed, LogLevel.Error, "Stale job recovery for {Table} failed; it runs again in {Delay}")]
    public static partial void RecoveryFailed(ILogger logger, Exception exception, string table, TimeSpan delay);

    [LoggerMessage(EfJobsEventIds.HeartbeatFailed, LogLevel.Error, "The heartbeat of {Count} running job(s) of {Table} failed; it is sent again in {Delay}")]
    public static partial void HeartbeatFailed(ILogger logger, Exception exception, string table, int count, TimeSpan delay);

    [LoggerMessage(EfJobsEventIds.CompletionFailed, LogLevel.Error, "Writing {Count} succeeded job(s) of {Table} failed; trying again in {Delay}")]
    public static partial void CompletionFailed(ILogger logger, Exception exception, string table, int count, TimeSpan delay);

    [LoggerMessage(EfJobsEventIds.CompletionsDiscarded, LogLevel.Warning, "{Count} succeeded job(s) of {Table} were not marked: this worker no longer owned those attempts")]
    public static partial void CompletionsDiscarded(ILogger logger, string table, int count);

    [LoggerMessage(EfJobsEventIds.UnreadableJob, LogLevel.Error, "Job {Table} {JobId} attempt {Attempt}: the row cannot be read as the job's entity; the attempt is recorded as failed with the error in last_error")]
    public static partial void UnreadableJob(ILogger logger, Exception exception, string table, Guid jobId, int attempt);

    [LoggerMessage(EfJobsEventIds.FetchUnreadable, LogLevel.Warning, "A fetch of {Table} returned a row that cannot be read; taking over the fetched rows one by one")]
    public static partial void FetchUnreadable(ILogger logger, Exception exception, string table);

    [LoggerMessage(EfJobsEventIds.FetchedJobsSalvaged, LogLevel.Warning, "Took over {Count} job(s) of {Table} that a failed fetch had locked to this worker")]
    public static partial void FetchedJobsSalvaged(ILogger logger, string table, int count);

    [LoggerMessage(EfJobsEventIds.SalvageFailed, LogLevel.Error, "Taking over the jobs of a failed fetch of {Table} failed; stale recovery will return them")]
    public static partial void SalvageFailed(ILogger logger, Exception exception, string table);

    // 4xx: notifications
    [LoggerMessage(EfJobsEventIds.Listening, LogLevel.Information, "Listening for jobs on {Channels}")]
    public static partial void Listening(ILogger logger, string channels);

    [LoggerMessage(EfJobsEventIds.ListenerFailed, LogLevel.Warning, "The LISTEN connection failed; reconnecting in {Delay} (jobs are still picked up by polling)")]
    public static partial void ListenerFailed(ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(EfJobsEventIds.TriggersMissing, LogLevel.Warning, "The notification triggers of {Table} are missing: new jobs wait for the next poll (up to {PollInterval}). Install them with 'dotnet ef database update' (the migration adds them), or set EfJobsOptions.RepairTriggers in development")]
    public static partial void TriggersMissing(ILogger logger, string table, TimeSpan pollInterval);

    [LoggerMessage(EfJobsEventIds.TriggersRepaired, LogLevel.Warning, "The notification triggers of {Table} were missing and have been re-installed (RepairTriggers)")]
    public static partial void TriggersRepaired(ILogger logger, string table);

    [LoggerMessage(EfJobsEventIds.TriggerCheckFailed, LogLevel.Error, "Checking the notification triggers of {Table} failed")]
    public static partial void TriggerCheckFailed(ILogger logger, Exception exception, string table);

    [LoggerMessage(EfJobsEventIds.TriggersHealthy, LogLevel.Information, "The notification triggers of {Table} are back")]
    public static partial void TriggersHealthy(ILogger logger, string table);

    // 5xx: runner components and liveness
    [LoggerMessage(EfJobsEventIds.LoopFailed, LogLevel.Error, "The EfJobs {Loop} failed and is started again in {Delay}")]
    public static partial void LoopFailed(ILogger logger, Exception exception, string loop, TimeSpan delay);

    [LoggerMessage(EfJobsEventIds.ResultWriteFailed, LogLevel.Warning, "Writing the result of {Count} job(s) of {Table} failed; trying again in {Delay} (the jobs stay locked to this worker until it is written)")]
    public static partial void ResultWriteFailed(ILogger logger, Exception exception, string table, int count, TimeSpan delay);

    [LoggerMessage(EfJobsEventIds.ErrorTextRejected, LogLevel.Warning, "Job {Table} {JobId} attempt {Attempt}: PostgreSQL rejected the error text; the attempt is recorded with a shorter one")]
    public static partial void ErrorTextRejected(ILogger logger, Exception exception, string table, Guid jobId, int attempt);

    [LoggerMessage(EfJobsEventIds.SchemaMissing, LogLevel.Warning, "The job table {Table} or the job_status type does not exist yet: apply the migrations ('dotnet ef database update'). EfJobs keeps trying and starts once they exist")]
    public static partial void SchemaMissing(ILogger logger, Exception exception, string table);

    [LoggerMessage(EfJobsEventIds.SchemaFound, LogLevel.Information, "The job table {Table} exists now; fetching jobs")]
    public static partial void SchemaFound(ILogger logger, string table);

    [LoggerMessage(EfJobsEventIds.DeadWorkersRescued, LogLevel.Warning, "Returned {Count} running job(s) of workers whose database session is gone: {WorkerIds}")]
    public static partial void DeadWorkersRescued(ILogger logger, int count, string workerIds);

    [LoggerMessage(EfJobsEventIds.DeadWorkerCheckFailed, LogLevel.Warning, "Checking for workers whose database session is gone failed; checking again shortly")]
    public static partial void DeadWorkerCheckFailed(ILogger logger, Exception exception);

    [LoggerMessage(EfJobsEventIds.UnservedJobTypes, LogLevel.Warning, "EfJobs worker {WorkerId}: the model has job types that no AddJob registers, and their jobs will wait: {JobTypes}. Register them with jobs.AddJob<TJob, THandler>()")]
    public static partial void UnservedJobTypes(ILogger logger, Guid workerId, string jobTypes);

    // 600-699: recurring jobs and retention.
    [LoggerMessage(EfJobsEventIds.RecurringSchedulesDeclared, LogLevel.Information, "Declared {Count} recurring job(s); {Changed} new or changed")]
    public static partial void RecurringSchedulesDeclared(ILogger logger, int count, int changed);

    [LoggerMessage(EfJobsEventIds.RecurringJobEnqueued, LogLevel.Information, "Recurring job {Schedule}: enqueued job {JobId} for the tick {Tick:o}")]
    public static partial void RecurringJobEnqueued(ILogger logger, string schedule, DateTimeOffset tick, Guid jobId);

    [LoggerMessage(EfJobsEventIds.RecurringTickSkipped, LogLevel.Information, "Recurring job {Schedule}: the tick {Tick:o} makes no job: {Reason}")]
    public static partial void RecurringTickSkipped(ILogger logger, string schedule, DateTimeOffset tick, string reason);

    [LoggerMessage(EfJobsEventIds.RecurringPassFailed, LogLevel.Error, "The recurring job scheduler failed (is the schedules table installed? apply the migrations with 'dotnet ef database update'); it tries again in {Delay}, and unclaimed ticks are claimed then")]
    public static partial void RecurringPassFailed(ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(EfJobsEventIds.JobsPruned, LogLevel.Information, "Deleted {Count} job(s) of {Table} in state {Status} older than {Keep} (retention)")]
    public static partial void JobsPruned(ILogger logger, int count, string table, string status, TimeSpan keep);

    [LoggerMessage(EfJobsEventIds.PruneFailed, LogLevel.Error, "Deleting finished jobs (retention) failed; trying again in {Delay}")]
    public static partial void PruneFailed(ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(EfJobsEventIds.RecurringOperated, LogLevel.Information, "Recurring job {Schedule}: {Action} by an operator")]
    public static partial void RecurringOperated(ILogger logger, string schedule, string action);
    // 700-799: monitoring
    [LoggerMessage(EfJobsEventIds.QueueSampleFailed, LogLevel.Warning, "Sampling the job queue for the gauges failed; they report nothing until a sample succeeds (the next in {Interval} or later)")]
    public static partial void QueueSampleFailed(ILogger logger, Exception exception, TimeSpan interval);
}
