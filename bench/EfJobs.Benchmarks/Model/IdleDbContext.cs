using Microsoft.EntityFrameworkCore;

namespace EfJobs.Benchmarks.Model;

/// <summary>The idle scenario's context: ten job types, each with its own table and triggers.</summary>
public class IdleDbContext(DbContextOptions<IdleDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<IdleJob0>();
        modelBuilder.Entity<IdleJob1>();
        modelBuilder.Entity<IdleJob2>();
        modelBuilder.Entity<IdleJob3>();
        modelBuilder.Entity<IdleJob4>();
        modelBuilder.Entity<IdleJob5>();
        modelBuilder.Entity<IdleJob6>();
        modelBuilder.Entity<IdleJob7>();
        modelBuilder.Entity<IdleJob8>();
        modelBuilder.Entity<IdleJob9>();
    }
}
