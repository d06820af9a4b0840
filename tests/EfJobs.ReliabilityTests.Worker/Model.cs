using Microsoft.EntityFrameworkCore;

namespace EfJobs.ReliabilityTests.Worker;

/// <summary>The payload every reliability job carries: how long to work and how to behave.</summary>
public interface IReliabilityJob
{
    Guid Id { get; }

    int AttemptsCount { get; }

    /// <summary>How long the handler works, in milliseconds. Must not be negative (the invariant the handler checks).</summary>
    int WorkMs { get; set; }

    /// <summary>ok, throw, hang (ignores its token), failfast, ok-offline, throw-late.</summary>
    string Mode { get; set; }
}

/// <summary>The job most scenarios use; table reliability_jobs.</summary>
public class ReliabilityJob : JobBase, IReliabilityJob
{
    public int WorkMs { get; set; }

    public string Mode { get; set; } = JobModes.Ok;

    /// <summary>
    /// A payload column the handler ignores (column weight, NOT NULL DEFAULT 0). The poison-unreadable scenario drops
    /// its NOT NULL and writes a NULL, which the database accepts and this int cannot hold: EF cannot read that row.
    /// </summary>
    public int Weight { get; set; }
}

/// <summary>Mapped to a table whose name needs quoting.</summary>
public class QuotedJob : JobBase, IReliabilityJob
{
    public int WorkMs { get; set; }

    public string Mode { get; set; } = JobModes.Ok;
}

/// <summary>Mapped to a table whose name is longer than PostgreSQL's 63 bytes.</summary>
public class LongJob : JobBase, IReliabilityJob
{
    public int WorkMs { get; set; }

    public string Mode { get; set; } = JobModes.Ok;
}

/// <summary>
/// Table customer_subscription_renewal_reminder_notification_email_jobs: its first 52 characters are those of
/// <see cref="CustomerSubscriptionRenewalReminderNotificationSmsJob"/>'s, so names cut at 63 bytes would collide.
/// </summary>
public class CustomerSubscriptionRenewalReminderNotificationEmailJob : JobBase, IReliabilityJob
{
    public int WorkMs { get; set; }

    public string Mode { get; set; } = JobModes.Ok;
}

/// <summary>Table customer_subscription_renewal_reminder_notification_sms_jobs.</summary>
public class CustomerSubscriptionRenewalReminderNotificationSmsJob : JobBase, IReliabilityJob
{
    public int WorkMs { get; set; }

    public string Mode { get; set; } = JobModes.Ok;
}

/// <summary>Mapped to billing.invoice_jobs: the same table name as <see cref="CrmInvoiceJob"/>, in another schema.</summary>
public class BillingInvoiceJob : JobBase, IReliabilityJob
{
    public int WorkMs { get; set; }

    public string Mode { get; set; } = JobModes.Ok;
}

/// <summary>Mapped to crm.invoice_jobs.</summary>
public class CrmInvoiceJob : JobBase, IReliabilityJob
{
    public int WorkMs { get; set; }

    public string Mode { get; set; } = JobModes.Ok;
}

/// <summary>
/// The job of the recurring scenario (table recurring_probe_jobs): which schedule and tick made it, from the factory's
/// <see cref="RecurringTick"/>. No unique index on (schedule, tick): a doubled tick must show up as two rows.
/// </summary>
public class RecurringProbeJob : JobBase
{
    public string Schedule { get; set; } = "";

    public DateTimeOffset Tick { get; set; }
}

public static class JobModes
{
    public const string Ok = "ok";
    public const string Throw = "throw";
    public const string Hang = "hang";
    public const string FailFast = "failfast";

    /// <summary>Works WorkMs (honouring its token) and succeeds; its finished_at is written if the database can take it (a database outage does not fail it).</summary>
    public const string OkOffline = "ok-offline";

    /// <summary>Works WorkMs (honouring its token), then throws: the failure comes at the end, when the database may be away.</summary>
    public const string ThrowLate = "throw-late";
}

public class ReliabilityContext(DbContextOptions<ReliabilityContext> options) : DbContext(options)
{
    public const string QuotedTable = "Quoted \"Job\"; DROP TABLE reliability_jobs; --";

    public static readonly string LongTable = "long_" + new string('x', 70) + "_jobs";

    /// <summary>
    /// The table every execution of a handler is written to (created by the tests, not by EF). locked_at is the job's
    /// as the handler got it: when the fetch locked it, on the database's clock.
    /// </summary>
    public const string ExecutionsDdl = """
        CREATE TABLE executions (
          id uuid PRIMARY KEY,
          job_table text NOT NULL,
          job_id uuid NOT NULL,
          attempt integer NOT NULL,
          worker_id uuid NOT NULL,
          mode text NOT NULL,
          started_at timestamptz NOT NULL,
          finished_at timestamptz,
          locked_at timestamptz
        );
        CREATE INDEX executions_job_id ON executions (job_id);
        """;

    public DbSet<ReliabilityJob> ReliabilityJobs => Set<ReliabilityJob>();

    public DbSet<QuotedJob> QuotedJobs => Set<QuotedJob>();

    public DbSet<LongJob> LongJobs => Set<LongJob>();

    public DbSet<CustomerSubscriptionRenewalReminderNotificationEmailJob> EmailJobs => Set<CustomerSubscriptionRenewalReminderNotificationEmailJob>();

    public DbSet<CustomerSubscriptionRenewalReminderNotificationSmsJob> SmsJobs => Set<CustomerSubscriptionRenewalReminderNotificationSmsJob>();

    public DbSet<BillingInvoiceJob> BillingInvoiceJobs => Set<BillingInvoiceJob>();

    public DbSet<CrmInvoiceJob> CrmInvoiceJobs => Set<CrmInvoiceJob>();

    public DbSet<RecurringProbeJob> RecurringProbeJobs => Set<RecurringProbeJob>();

    /// <summary>The job tables of the hostile-name scenario as (schema, table), with the label the handler writes to executions.</summary>
    public static readonly (string? Schema, string Table, string Label)[] HostileTables =
    [
        (null, QuotedTable, QuotedTable),
        (null, LongTable, LongTable),
        (null, "customer_subscription_renewal_reminder_notification_email_jobs", "customer_subscription_renewal_reminder_notification_email_jobs"),
        (null, "customer_subscription_renewal_reminder_notification_sms_jobs", "customer_subscription_renewal_reminder_notification_sms_jobs"),
        ("billing", "invoice_jobs", "billing.invoice_jobs"),
        ("crm", "invoice_jobs", "crm.invoice_jobs"),
    ];

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        // reliability_jobs stores the enqueuing trace context (the trace scenario reads it in the worker process).
        modelBuilder.Entity<ReliabilityJob>().StoreTraceContext();
        modelBuilder.Entity<QuotedJob>().ToTable(QuotedTable);
        modelBuilder.Entity<LongJob>().ToTable(LongTable);
        modelBuilder.Entity<BillingInvoiceJob>().ToTable("invoice_jobs", "billing");
        modelBuilder.Entity<CrmInvoiceJob>().ToTable("invoice_jobs", "crm");
        Payload<ReliabilityJob>(modelBuilder);
        Payload<QuotedJob>(modelBuilder);
        Payload<LongJob>(modelBuilder);
        Payload<CustomerSubscriptionRenewalReminderNotificationEmailJob>(modelBuilder);
        Payload<CustomerSubscriptionRenewalReminderNotificationSmsJob>(modelBuilder);
        Payload<BillingInvoiceJob>(modelBuilder);
        Payload<CrmInvoiceJob>(modelBuilder);
        modelBuilder.Entity<ReliabilityJob>().Property(j => j.Weight).HasColumnName("weight").HasDefaultValue(0);
        modelBuilder.Entity<RecurringProbeJob>().Property(j => j.Schedule).HasColumnName("schedule");
        modelBuilder.Entity<RecurringProbeJob>().Property(j => j.Tick).HasColumnName("tick");
    }

    private static void Payload<T>(ModelBuilder modelBuilder)
        where T : class, IReliabilityJob
    {
        modelBuilder.Entity<T>().Property(j => j.WorkMs).HasColumnName("work_ms");
        modelBuilder.Entity<T>().Property(j => j.Mode).HasColumnName("mode");
    }
}
