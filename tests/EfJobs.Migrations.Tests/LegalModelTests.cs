using System.Text;
using EfJobs.Migrations.Tests.Infrastructure;
using EfJobs.Migrations.Tests.LegalModels;
using EfJobs.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace EfJobs.Migrations.Tests;

/// <summary>
/// Issue 12: every legal EF model works. <see cref="LegalModelsContext"/> holds the models that once broke (long table
/// names sharing 52 characters, one table name in two schemas, OwnsOne, OwnsMany, a JSON column, an auto-included
/// navigation); it is applied through EfJobs' migration and run by the hosted runner.
/// </summary>
public sealed class LegalModelTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    private static readonly Dictionary<string, string> Expected = new()
    {
        [typeof(CustomerSubscriptionRenewalReminderNotificationEmailJob).FullName!] = "ada@example.com",
        [typeof(CustomerSubscriptionRenewalReminderNotificationSmsJob).FullName!] = "+4712345678",
        [typeof(EfJobs.Migrations.Tests.LegalModels.Billing.InvoiceJob).FullName!] = "billing 1",
        [typeof(EfJobs.Migrations.Tests.LegalModels.Crm.InvoiceJob).FullName!] = "crm 2",
        [typeof(ShipJob).FullName!] = "Oslo",
        [typeof(PackJob).FullName!] = "a,b",
        [typeof(PrintReceiptJob).FullName!] = "12.5 x,y",
        [typeof(GreetCustomerJob).FullName!] = "Ada",
    };

    [Fact]
    public async Task Every_job_table_gets_names_of_its_own_that_fit_and_public_ones_stay_IHPs()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        await using var db = new LegalModelsContext(LegalModelsContext.Options(database.ConnectionString));
        await ModelMigration.UpAsync(db);

        var tables = JobTables(db);
        Assert.Equal(8, tables.Count);
        var channels = tables.Select(t => JobNotificationNames.Channel(t.Table, t.Schema)).ToList();
        Assert.Equal(channels.Count, channels.Distinct(StringComparer.Ordinal).Count());
        foreach (var (table, schema) in tables)
        {
            await TriggerAssert.InstalledAsync(database, table, schema ?? "public");
            foreach (var name in new[] { JobNotificationNames.Channel(table, schema), JobNotificationNames.Function(table, schema), JobNotificationNames.InsertTrigger(table, schema) })
            {
                Assert.True(Encoding.UTF8.GetByteCount(name) <= 63, name);
            }
        }

        // IHP's exact names where they fit in public; the schema in the name elsewhere.
        Assert.Equal("job_available_ship_jobs", JobNotificationNames.Channel("ship_jobs"));
        Assert.Equal("notify_job_queued_ship_jobs", JobNotificationNames.Function("ship_jobs", "public"));
        Assert.Equal("job_available_billing.invoice_jobs", JobNotificationNames.Channel("invoice_jobs", "billing"));
        Assert.NotEqual(
            JobNotificationNames.Channel("customer_subscription_renewal_reminder_notification_email_jobs"),
            JobNotificationNames.Channel("customer_subscription_renewal_reminder_notification_sms_jobs"));

        // Two partial indexes per job table, none cut by the server into another's name.
        var indexes = await database.ListAsync("SELECT schemaname || '.' || indexname FROM pg_indexes WHERE indexname LIKE 'ix\\_pending\\_%' OR indexname LIKE 'ix\\_running\\_%'");
        Assert.Equal(16, indexes.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task Each_job_of_every_legal_model_runs_through_its_own_notification()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        await using (var db = new LegalModelsContext(LegalModelsContext.Options(database.ConnectionString)))
        {
            await ModelMigration.UpAsync(db);
        }

        await RunEveryJobAsync(database);
    }

    [Fact]
    public async Task Down_of_the_initial_migration_undoes_Up_so_Up_runs_again()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        await using var db = new LegalModelsContext(LegalModelsContext.Options(database.ConnectionString));
        await ModelMigration.UpAsync(db);
        await ModelMigration.DownAsync(db);

        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM pg_type WHERE typname = 'job_status'"));
        Assert.Empty(await database.AllTriggerNamesAsync());
        Assert.Empty(await database.NotifyFunctionsAsync());

        // Before the fix this failed with 42710: type "job_status" already exists.
        await ModelMigration.UpAsync(db);
        Assert.Equal(1L, await database.ScalarAsync<long>("SELECT count(*) FROM pg_type WHERE typname = 'job_status'"));
    }

    /// <summary>
    /// Starts the hosted runner (poll interval one hour), enqueues one job of each type in its own transaction and
    /// checks that the commit notified exactly that table's channel and that the handler saw the whole entity.
    /// </summary>
    internal static async Task RunEveryJobAsync(ScratchDatabase database)
    {
        List<(string Table, string? Schema)> tables;
        await using (var db = new LegalModelsContext(LegalModelsContext.Options(database.ConnectionString)))
        {
            tables = JobTables(db);
        }

        await using var listener = await NotificationListener.ListenAsync(database, tables.Select(t => JobNotificationNames.Channel(t.Table, t.Schema)));
        await using var host = await LegalModelsHost.StartAsync(database);

        var jobs = new (JobBase Job, string Channel)[]
        {
            (new CustomerSubscriptionRenewalReminderNotificationEmailJob { To = "ada@example.com" }, Channel("customer_subscription_renewal_reminder_notification_email_jobs", null)),
            (new CustomerSubscriptionRenewalReminderNotificationSmsJob { To = "+4712345678" }, Channel("customer_subscription_renewal_reminder_notification_sms_jobs", null)),
            (new EfJobs.Migrations.Tests.LegalModels.Billing.InvoiceJob { Number = 1 }, Channel("invoice_jobs", "billing")),
            (new EfJobs.Migrations.Tests.LegalModels.Crm.InvoiceJob { Number = 2 }, Channel("invoice_jobs", "crm")),
            (new ShipJob { Address = new Address { City = "Oslo" } }, Channel("ship_jobs", null)),
            (new PackJob { Lines = [new OrderLine { Sku = "b" }, new OrderLine { Sku = "a" }] }, Channel("pack_jobs", null)),
            (new PrintReceiptJob { Receipt = new Receipt { Total = 12.5m, Items = ["x", "y"] } }, Channel("print_receipt_jobs", null)),
            (new GreetCustomerJob { Customer = new Customer { Name = "Ada" } }, Channel("greet_customer_jobs", null)),
        };
        var expectedChannels = new List<string>();
        foreach (var (job, channel) in jobs)
        {
            await using var db = new LegalModelsContext(LegalModelsContext.Options(database.ConnectionString));
            db.Add(job);
            await db.SaveChangesAsync();
            expectedChannels.Add(channel);
            await WaitForAsync(listener, expectedChannels.Count);
            Assert.Equal(expectedChannels, listener.Channels);
        }

        var deadline = DateTime.UtcNow + Generous;
        while (host.Recorder.Seen.Count < Expected.Count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.True(host.Recorder.Seen.Count == Expected.Count, "Not every job ran. Log:\n" + host.Logs);
        Assert.Equal(Expected.OrderBy(e => e.Key, StringComparer.Ordinal), host.Recorder.Seen.OrderBy(e => e.Key, StringComparer.Ordinal));
        Assert.DoesNotContain(host.Logs.Entries, e => e.Level >= LogLevel.Warning && e.Category.StartsWith("EfJobs", StringComparison.Ordinal));

        // Exactly one notification per job: none of them failed and went back to the queue.
        Assert.Equal(expectedChannels, listener.Channels);
    }

    private static string Channel(string table, string? schema) => JobNotificationNames.Channel(table, schema);

    private static async Task WaitForAsync(NotificationListener listener, int count)
    {
        var deadline = DateTime.UtcNow + Generous;
        while (listener.Channels.Count < count && DateTime.UtcNow < deadline)
        {
            await listener.WaitAsync(TimeSpan.FromMilliseconds(200));
        }
    }

    private static List<(string Table, string? Schema)> JobTables(DbContext db) =>
        db.Model.GetEntityTypes()
            .Where(e => typeof(JobBase).IsAssignableFrom(e.ClrType))
            .Select(e => (e.GetTableName()!, e.GetSchema()))
            .ToList();
}
