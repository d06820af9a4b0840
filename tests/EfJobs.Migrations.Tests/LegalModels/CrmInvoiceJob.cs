namespace EfJobs.Migrations.Tests.LegalModels.Crm;

/// <summary>Mapped to crm.invoice_jobs.</summary>
public class InvoiceJob : JobBase
{
    public int Number { get; set; }
}
