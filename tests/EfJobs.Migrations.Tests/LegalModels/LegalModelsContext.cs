using Microsoft.EntityFrameworkCore;

namespace EfJobs.Migrations.Tests.LegalModels;

/// <summary>
/// Models users really write that EfJobs once broke on (issue 12): long table names sharing 52 characters, one table
/// name in two schemas, owned types, a JSON column and an auto-included navigation. The same files are compiled into
/// the `dotnet ef` scratch project, so the CLI's migration and the in-process runner see one model.
/// </summary>
public class LegalModelsContext(DbContextOptions<LegalModelsContext> options) : DbContext(options)
{
    public DbSet<CustomerSubscriptionRenewalReminderNotificationEmailJob> EmailJobs => Set<CustomerSubscriptionRenewalReminderNotificationEmailJob>();

    public DbSet<CustomerSubscriptionRenewalReminderNotificationSmsJob> SmsJobs => Set<CustomerSubscriptionRenewalReminderNotificationSmsJob>();

    public DbSet<Billing.InvoiceJob> BillingInvoiceJobs => Set<Billing.InvoiceJob>();

    public DbSet<Crm.InvoiceJob> CrmInvoiceJobs => Set<Crm.InvoiceJob>();

    public DbSet<ShipJob> ShipJobs => Set<ShipJob>();

    public DbSet<PackJob> PackJobs => Set<PackJob>();

    public DbSet<PrintReceiptJob> PrintReceiptJobs => Set<PrintReceiptJob>();

    public DbSet<GreetCustomerJob> GreetCustomerJobs => Set<GreetCustomerJob>();

    public DbSet<Customer> Customers => Set<Customer>();

    public static DbContextOptions<LegalModelsContext> Options(string connectionString) =>
        new DbContextOptionsBuilder<LegalModelsContext>()
            .UseNpgsql(connectionString, npgsql => npgsql.UseEfJobs().UseEfJobsMigrations())
            .Options;

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<Billing.InvoiceJob>().ToTable("invoice_jobs", "billing");
        modelBuilder.Entity<Crm.InvoiceJob>().ToTable("invoice_jobs", "crm");
        modelBuilder.Entity<ShipJob>().OwnsOne(j => j.Address);
        modelBuilder.Entity<PackJob>().OwnsMany(j => j.Lines);
        modelBuilder.Entity<PrintReceiptJob>().OwnsOne(j => j.Receipt, b => b.ToJson());
        modelBuilder.Entity<GreetCustomerJob>().Navigation(j => j.Customer).AutoInclude();
    }
}
