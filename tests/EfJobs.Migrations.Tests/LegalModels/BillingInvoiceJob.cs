namespace EfJobs.Migrations.Tests.LegalModels.Billing;

/// <summary>Mapped to billing.invoice_jobs; <see cref="Crm.InvoiceJob"/> has the same table name in schema crm.</summary>
public class InvoiceJob : JobBase
{
    public int Number { get; set; }
}
