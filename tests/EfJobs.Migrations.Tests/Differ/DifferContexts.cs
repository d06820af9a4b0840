using Microsoft.EntityFrameworkCore;

namespace EfJobs.Migrations.Tests.Differ;

/// <summary>Base of the differ tests' contexts: each subclass is one version of the model (EF caches a model per type).</summary>
public abstract class DifferContext(bool useMigrations) : DbContext
{
    public DbSet<Note> Notes => Set<Note>();

    protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder) =>
        optionsBuilder.UseNpgsql("Host=unused", npgsql =>
        {
            npgsql.UseEfJobs();
            if (useMigrations)
            {
                npgsql.UseEfJobsMigrations();
            }
        });
}

/// <summary>No job table.</summary>
public sealed class NoJobsContext() : DifferContext(useMigrations: true);

/// <summary>The job in moving_jobs.</summary>
public sealed class MovingJobsContext() : DifferContext(useMigrations: true)
{
    public DbSet<MovingJob> MovingJobs => Set<MovingJob>();
}

/// <summary>The job renamed to moved_jobs.</summary>
public sealed class MovedJobsContext() : DifferContext(useMigrations: true)
{
    public DbSet<MovingJob> MovingJobs => Set<MovingJob>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.Entity<MovingJob>().ToTable("moved_jobs");
}

/// <summary>The job moved to the schema jobs.</summary>
public sealed class SchemaJobsContext() : DifferContext(useMigrations: true)
{
    public DbSet<MovingJob> MovingJobs => Set<MovingJob>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.Entity<MovingJob>().ToTable("moving_jobs", "jobs");
}

/// <summary>UseEfJobs() without UseEfJobsMigrations().</summary>
public sealed class WithoutMigrationsContext() : DifferContext(useMigrations: false)
{
    public DbSet<MovingJob> MovingJobs => Set<MovingJob>();
}
