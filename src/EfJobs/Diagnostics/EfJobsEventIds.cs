namespace EfJobs.Diagnostics;

/// <summary>
/// The ids of every event EfJobs logs, stable across versions (a number is never reused for another meaning), grouped
/// by hundreds: 1xx runner lifecycle, 2xx jobs, 3xx queue housekeeping, 4xx notifications, 5xx runner components and
/// liveness, 6xx monitoring. The README's table lists each with its level and category. Filter or alert on them
/// (<c>EventId.Id == EfJobsEventIds.JobFailed</c>) rather than on message text.
/// </summary>
public static class EfJobsEventIds
{
    /// <summary>Information: "EfJobs worker {WorkerId} starting for {JobTypes}"</summary>
    public const int RunnerStarting = 100;

    /// <summary>Information: "EfJobs worker {WorkerId} stopped"</summary>
    public const int RunnerStopped = 101;

    /// <summary>Warning: "EfJobs worker {WorkerId}: the host's shutdown timeout passed with {Count} job(s) of {Table} still running; cancelling them"</summary>
    public const int ShutdownTimeoutReached = 102;

    /// <summary>Information: "EfJobs worker {WorkerId}: released {Count} interrupted job(s) of {Table} for another worker"</summary>
    public const int JobsReleased = 103;

    /// <summary>Error: "EfJobs worker {WorkerId}: could not release the interrupted jobs of {Table}; stale recovery will return them"</summary>
    public const int ReleaseFailed = 104;

    /// <summary>Debug: "Job {Table} {JobId} attempt {Attempt} started on worker {WorkerId}"</summary>
    public const int JobStarted = 200;

    /// <summary>Debug: "Job {Table} {JobId} attempt {Attempt} succeeded in {DurationMs:0.0} ms"</summary>
    public const int JobSucceeded = 201;

    /// <summary>Warning: "Job {Table} {JobId} attempt {Attempt} failed after {DurationMs:0.0} ms; {Outcome}"</summary>
    public const int JobFailed = 202;

    /// <summary>Warning: "Job {Table} {JobId} attempt {Attempt} timed out after {Timeout}; {Outcome}"</summary>
    public const int JobTimedOut = 203;

    /// <summary>Warning: "Job {Table} {JobId} attempt {Attempt}: the result was not written because this worker no longer owns the attempt (it timed out, was rescued or released)"</summary>
    public const int ResultDiscarded = 204;

    /// <summary>Warning: "Job {Table} {JobId} attempt {Attempt}: the handler returned {DurationMs:0.0} ms after its timeout; its slot is free again"</summary>
    public const int LateHandlerReturned = 205;

    /// <summary>Error: "Job {Table} {JobId} attempt {Attempt}: could not record the result; stale recovery will return the job"</summary>
    public const int ResultNotRecorded = 206;

    /// <summary>Error: "Fetching jobs of {Table} failed; trying again in {Delay}"</summary>
    public const int FetchFailed = 300;

    /// <summary>Warning: "Recovered {Count} stale job(s) of {Table} whose worker stopped sending heartbeats"</summary>
    public const int StaleJobsRecovered = 301;

    /// <summary>Error: "Stale job recovery for {Table} failed; it runs again in {Delay}"</summary>
    public const int RecoveryFailed = 302;

    /// <summary>Error: "The heartbeat of {Count} running job(s) of {Table} failed; it is sent again in {Delay}"</summary>
    public const int HeartbeatFailed = 303;

    /// <summary>Error: "Writing {Count} succeeded job(s) of {Table} failed; trying again in {Delay}"</summary>
    public const int CompletionFailed = 304;

    /// <summary>Warning: "{Count} succeeded job(s) of {Table} were not marked: this worker no longer owned those attempts"</summary>
    public const int CompletionsDiscarded = 305;

    /// <summary>Error: "Job {Table} {JobId} attempt {Attempt}: the row cannot be read as the job's entity; the attempt is recorded as failed with the error in last_error"</summary>
    public const int UnreadableJob = 306;

    /// <summary>Warning: "Took over {Count} job(s) of {Table} that a failed fetch had locked to this worker"</summary>
    public const int FetchedJobsSalvaged = 307;

    /// <summary>Error: "Taking over the jobs of a failed fetch of {Table} failed; stale recovery will return them"</summary>
    public const int SalvageFailed = 308;

    /// <summary>Warning: "A fetch of {Table} returned a row that cannot be read; taking over the fetched rows one by one"</summary>
    public const int FetchUnreadable = 309;

    /// <summary>Information: "Listening for jobs on {Channels}"</summary>
    public const int Listening = 400;

    /// <summary>Warning: "The LISTEN connection failed; reconnecting in {Delay} (jobs are still picked up by polling)"</summary>
    public const int ListenerFailed = 401;

    /// <summary>Warning: "The notification triggers of {Table} are missing: new jobs wait for the next poll (up to {PollInterval}). Install them with 'dotnet ef database update' (the migration adds them), or set EfJobsOptions.RepairTriggers in development"</summary>
    public const int TriggersMissing = 402;

    /// <summary>Warning: "The notification triggers of {Table} were missing and have been re-installed (RepairTriggers)"</summary>
    public const int TriggersRepaired = 403;

    /// <summary>Error: "Checking the notification triggers of {Table} failed"</summary>
    public const int TriggerCheckFailed = 404;

    /// <summary>Information: "The notification triggers of {Table} are back"</summary>
    public const int TriggersHealthy = 405;

    /// <summary>Error: "The EfJobs {Loop} failed and is started again in {Delay}"</summary>
    public const int LoopFailed = 500;

    /// <summary>Warning: "Writing the result of {Count} job(s) of {Table} failed; trying again in {Delay} (the jobs stay locked to this worker until it is written)"</summary>
    public const int ResultWriteFailed = 501;

    /// <summary>Warning: "Job {Table} {JobId} attempt {Attempt}: PostgreSQL rejected the error text; the attempt is recorded with a shorter one"</summary>
    public const int ErrorTextRejected = 502;

    /// <summary>Warning: "The job table {Table} or the job_status type does not exist yet: apply the migrations ('dotnet ef database update'). EfJobs keeps trying and starts once they exist"</summary>
    public const int SchemaMissing = 503;

    /// <summary>Information: "The job table {Table} exists now; fetching jobs"</summary>
    public const int SchemaFound = 504;

    /// <summary>Warning: "Returned {Count} running job(s) of workers whose database session is gone: {WorkerIds}"</summary>
    public const int DeadWorkersRescued = 505;

    /// <summary>Warning: "Checking for workers whose database session is gone failed; checking again shortly"</summary>
    public const int DeadWorkerCheckFailed = 506;

    /// <summary>Warning: "EfJobs worker {WorkerId}: the model has job types that no AddJob registers, and their jobs will wait: {JobTypes}. Register them with jobs.AddJob&lt;TJob, THandler&gt;()"</summary>
    public const int UnservedJobTypes = 507;

    /// <summary>Information: "Declared {Count} recurring job(s); {Changed} new or changed"</summary>
    public const int RecurringSchedulesDeclared = 600;

    /// <summary>Information: "Recurring job {Schedule}: enqueued job {JobId} for the tick {Tick:o}"</summary>
    public const int RecurringJobEnqueued = 601;

    /// <summary>Information: "Recurring job {Schedule}: the tick {Tick:o} makes no job: {Reason}"</summary>
    public const int RecurringTickSkipped = 602;

    /// <summary>Error: "The recurring job scheduler failed (is the schedules table installed? ...); it tries again in {Delay}"</summary>
    public const int RecurringPassFailed = 603;

    /// <summary>Information: "Deleted {Count} job(s) of {Table} in state {Status} older than {Keep} (retention)"</summary>
    public const int JobsPruned = 604;

    /// <summary>Error: "Deleting finished jobs (retention) failed; trying again in {Delay}"</summary>
    public const int PruneFailed = 605;

    /// <summary>Information: "Recurring job {Schedule}: {Action} by an operator"</summary>
    public const int RecurringOperated = 606;

    /// <summary>Warning: "Sampling the job queue for the gauges failed; they report nothing until a sample succeeds (the next in {Interval} or later)"</summary>
    public const int QueueSampleFailed = 700;
}
