using EfJobs;
using WebApp.Data;

namespace WebApp.Jobs;

/// <summary>Sends the welcome mail of a new user. Table welcome_mail_jobs, with a foreign key to users.</summary>
public class WelcomeMailJob : JobBase
{
    public Guid UserId { get; set; }

    public User? User { get; set; }
}
