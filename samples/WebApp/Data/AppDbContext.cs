using Microsoft.EntityFrameworkCore;
using WebApp.Jobs;

namespace WebApp.Data;

public class AppDbContext(DbContextOptions<AppDbContext> options) : DbContext(options)
{
    public DbSet<User> Users => Set<User>();

    public DbSet<SentMail> SentMails => Set<SentMail>();

    public DbSet<WelcomeMailJob> WelcomeMailJobs => Set<WelcomeMailJob>();

    public DbSet<DemoJob> DemoJobs => Set<DemoJob>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<User>().HasIndex(u => u.Email).IsUnique();
        modelBuilder.Entity<User>().Property(u => u.CreatedAt).HasDefaultValueSql("now()");
        modelBuilder.Entity<SentMail>().Property(m => m.SentAt).HasDefaultValueSql("now()");

        // The request that enqueues a job is the parent of (or linked from) the job's run in a trace: the enqueuing
        // trace context is stored in two nullable columns, trace_parent and trace_state, that a migration adds.
        modelBuilder.Entity<WelcomeMailJob>().StoreTraceContext();
        modelBuilder.Entity<DemoJob>().StoreTraceContext();
    }
}
