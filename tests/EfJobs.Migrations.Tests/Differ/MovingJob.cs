namespace EfJobs.Migrations.Tests.Differ;

/// <summary>A job whose table the differ tests create, rename, move and remove.</summary>
public class MovingJob : JobBase
{
    public string Payload { get; set; } = "";
}
