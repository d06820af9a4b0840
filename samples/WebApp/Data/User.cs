namespace WebApp.Data;

public class User
{
    public Guid Id { get; set; }

    public required string Email { get; set; }

    public required string Name { get; set; }

    public DateTime CreatedAt { get; set; }
}
