namespace EfJobs.Queue;

/// <summary>A row of <see cref="JobQueueSql.Fetch"/>: a job the fetch took (or failed, when <see cref="Corrupt"/>).</summary>
internal sealed class FetchedJobRow
{
    public Guid Id { get; set; }

    public int AttemptsCount { get; set; }

    /// <summary>The row's attempts_count could not be counted up; the fetch marked it failed instead of taking it.</summary>
    public bool Corrupt { get; set; }
}
