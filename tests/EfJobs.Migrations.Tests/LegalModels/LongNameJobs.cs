namespace EfJobs.Migrations.Tests.LegalModels;

/// <summary>Table customer_subscription_renewal_reminder_notification_email_jobs: shares 52 characters with the next.</summary>
public class CustomerSubscriptionRenewalReminderNotificationEmailJob : JobBase
{
    public string To { get; set; } = "";
}

/// <summary>Table customer_subscription_renewal_reminder_notification_sms_jobs.</summary>
public class CustomerSubscriptionRenewalReminderNotificationSmsJob : JobBase
{
    public string To { get; set; } = "";
}
