using System.Collections.Concurrent;

namespace EfJobs.Migrations.Tests.LegalModels;

/// <summary>What the handlers saw: per job type, the payload as the handler read it (owned data included).</summary>
public sealed class LegalModelsRecorder
{
    public ConcurrentDictionary<string, string> Seen { get; } = new();

    public void Record(JobBase job)
    {
        var payload = job switch
        {
            CustomerSubscriptionRenewalReminderNotificationEmailJob email => email.To,
            CustomerSubscriptionRenewalReminderNotificationSmsJob sms => sms.To,
            Billing.InvoiceJob billing => "billing " + billing.Number,
            Crm.InvoiceJob crm => "crm " + crm.Number,
            ShipJob ship => ship.Address.City,
            PackJob pack => string.Join(",", pack.Lines.Select(l => l.Sku).Order(StringComparer.Ordinal)),
            PrintReceiptJob print => print.Receipt.Total.ToString(System.Globalization.CultureInfo.InvariantCulture) + " " + string.Join(",", print.Receipt.Items),
            GreetCustomerJob greet => greet.Customer?.Name ?? "(customer not loaded)",
            _ => throw new InvalidOperationException("unexpected job " + job.GetType()),
        };
        Seen[job.GetType().FullName!] = payload;
    }
}
