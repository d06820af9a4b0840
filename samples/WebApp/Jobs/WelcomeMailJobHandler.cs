using EfJobs;
using Microsoft.EntityFrameworkCore;
using WebApp.Data;

namespace WebApp.Jobs;

/// <summary>Writes the welcome mail to the outbox. It gets the app's own DbContext from a fresh scope per job.</summary>
public sealed class WelcomeMailJobHandler(AppDbContext db) : IJobHandler<WelcomeMailJob>
{
    public async Task PerformAsync(WelcomeMailJob job, CancellationToken cancellationToken)
    {
        var user = await db.Users.SingleAsync(u => u.Id == job.UserId, cancellationToken);
        db.SentMails.Add(new SentMail { UserId = user.Id, To = user.Email, Subject = $"Welcome, {user.Name}!" });
        await db.SaveChangesAsync(cancellationToken);
    }
}
