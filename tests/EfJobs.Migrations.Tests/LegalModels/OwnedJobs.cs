namespace EfJobs.Migrations.Tests.LegalModels;

public class Address
{
    public string City { get; set; } = "";
}

public class OrderLine
{
    public string Sku { get; set; } = "";
}

public class Receipt
{
    public decimal Total { get; set; }

    public List<string> Items { get; set; } = [];
}

public class Customer
{
    public Guid Id { get; set; }

    public string Name { get; set; } = "";
}

/// <summary>OwnsOne: the address's columns live in the job's table.</summary>
public class ShipJob : JobBase
{
    public Address Address { get; set; } = new();
}

/// <summary>OwnsMany: the lines live in a table of their own.</summary>
public class PackJob : JobBase
{
    public List<OrderLine> Lines { get; set; } = [];
}

/// <summary>OwnsOne(..., b => b.ToJson()): the receipt is a jsonb column.</summary>
public class PrintReceiptJob : JobBase
{
    public Receipt Receipt { get; set; } = new();
}

/// <summary>A navigation that is always loaded (Navigation(...).AutoInclude()).</summary>
public class GreetCustomerJob : JobBase
{
    public Guid CustomerId { get; set; }

    public Customer Customer { get; set; } = null!;
}
