using EfJobs.Runner;
using EfJobs.Queue;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EfJobs.DependencyInjection;

/// <summary>
/// Validates the setup as a whole when the host starts, whether or not the runner runs in it: the options, the
/// DbContext's registration, <c>UseEfJobs()</c>, and every registered job type in the model. A web app that only
/// enqueues learns of a missing <c>UseEfJobs()</c> at start, not from a <c>42P01</c> at its first enqueue.
/// </summary>
internal sealed class EfJobsOptionsValidator(IServiceProvider services, Type contextType, IReadOnlyList<JobRegistration> registrations) : IValidateOptions<EfJobsOptions>
{
    public ValidateOptionsResult Validate(string? name, EfJobsOptions options)
    {
        if (name != Options.DefaultName)
        {
            return ValidateOptionsResult.Skip;
        }

        if (options.Validate() is { } problem)
        {
            return ValidateOptionsResult.Fail($"EfJobs: EfJobsOptions.{problem}");
        }

        if (options.QueueSampleInterval <= TimeSpan.Zero || options.QueueSampleInterval > TimeSpan.FromHours(1))
        {
            return ValidateOptionsResult.Fail($"EfJobs: EfJobsOptions.{nameof(EfJobsOptions.QueueSampleInterval)} must be positive and at most 1 hour (was {options.QueueSampleInterval}).");
        }

        if (options.TraceChildWindow < TimeSpan.Zero)
        {
            return ValidateOptionsResult.Fail($"EfJobs: EfJobsOptions.{nameof(EfJobsOptions.TraceChildWindow)} must be zero or positive (was {options.TraceChildWindow}).");
        }

        if (!Enum.IsDefined(options.TraceMode))
        {
            return ValidateOptionsResult.Fail($"EfJobs: EfJobsOptions.{nameof(EfJobsOptions.TraceMode)} must be one of {string.Join(", ", Enum.GetNames<JobTraceMode>())} (was {(int)options.TraceMode}).");
        }

        if (registrations.Count == 0)
        {
            return ValidateOptionsResult.Fail("EfJobs: AddEfJobs has no job types: add them with jobs.AddJob<TJob, THandler>().");
        }

        if (services.GetService<IServiceProviderIsService>()?.IsService(contextType) == false
            && services.GetService(typeof(IDbContextFactory<>).MakeGenericType(contextType)) is null)
        {
            return ValidateOptionsResult.Fail(
                $"EfJobs: {contextType.Name} is not registered: call services.AddDbContext<{contextType.Name}>(o => o.UseNpgsql(connectionString, npgsql => npgsql.UseEfJobs())) before AddEfJobs.");
        }

        try
        {
            var database = services.GetRequiredService<IJobDatabase>();
            database.WithContext(db =>
            {
                foreach (var registration in registrations)
                {
                    JobTables.Get(db, registration.JobType);
                }

                foreach (var schedule in services.GetServices<RecurringSchedule>())
                {
                    JobTables.Get(db, schedule.JobType);
                }

                return true;
            });
        }
        catch (Exception exception) when (exception is InvalidOperationException or ArgumentException)
        {
            return ValidateOptionsResult.Fail("EfJobs: " + exception.Message);
        }

        return ValidateOptionsResult.Success;
    }
}
