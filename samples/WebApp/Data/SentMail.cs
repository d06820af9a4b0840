namespace WebApp.Data;

/// <summary>The outbox: a row per mail "sent", so the sample needs no mail server.</summary>
public class SentMail
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public required string To { get; set; }

    public required string Subject { get; set; }

    public DateTime SentAt { get; set; }
}
