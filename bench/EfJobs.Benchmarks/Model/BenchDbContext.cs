using Microsoft.EntityFrameworkCore;

namespace EfJobs.Benchmarks.Model;

/// <summary>The application context of the throughput scenarios: one job type, table bench_jobs.</summary>
public class BenchDbContext(DbContextOptions<BenchDbContext> options) : DbContext(options)
{
    public DbSet<BenchJob> BenchJobs => Set<BenchJob>();
}
