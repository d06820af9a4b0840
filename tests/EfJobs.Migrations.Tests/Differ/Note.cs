namespace EfJobs.Migrations.Tests.Differ;

/// <summary>An entity that is not a job: its table gets no triggers.</summary>
public class Note
{
    public int Id { get; set; }
}
