namespace EfJobs.Migrations.Tests.Runtime;

/// <summary>The job of <see cref="RuntimeJobsContext"/>: table runtime_mail_jobs.</summary>
public class RuntimeMailJob : JobBase
{
    public string Recipient { get; set; } = "";
}
