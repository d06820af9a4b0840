using Microsoft.EntityFrameworkCore;

namespace EfJobs.Tests.Infrastructure;

public class TestDbContext(DbContextOptions<TestDbContext> options) : DbContext(options)
{
    public const string QuotedTable = "Quoted \"Job\"; DROP TABLE test_jobs; --";

    public static readonly string LongTable = "long_" + new string('x', 70) + "_jobs";

    public DbSet<TestJob> TestJobs => Set<TestJob>();

    public DbSet<OtherJob> OtherJobs => Set<OtherJob>();

    public DbSet<QuotedNameJob> QuotedNameJobs => Set<QuotedNameJob>();

    public DbSet<LongNameJob> LongNameJobs => Set<LongNameJob>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // TestJob stores the enqueuing trace context (trace_parent, trace_state); OtherJob keeps IHP's columns only.
        modelBuilder.Entity<TestJob>().StoreTraceContext();
        modelBuilder.Entity<QuotedNameJob>().ToTable(QuotedTable);
        modelBuilder.Entity<LongNameJob>().ToTable(LongTable);
    }
}
