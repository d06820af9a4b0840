namespace EfJobs.Queue;

/// <summary>One sample of every registered job table, and when it was taken (the application's clock).</summary>
internal sealed record JobQueueSnapshot(DateTimeOffset TakenAt, IReadOnlyList<JobQueueSample> Tables);
