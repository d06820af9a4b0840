using EfJobs;
using EfJobs.DependencyInjection;
using EfJobs.Queue;
using EfJobs.Runner;
using System.Diagnostics.Metrics;
using EfJobs.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds EfJobs' runner to an application.</summary>
public static class EfJobsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the job runner for <typeparamref name="TContext"/> and the job types configured in
    /// <paramref name="configure"/>, including the hosted service that runs them. The context must be registered
    /// (AddDbContext, AddDbContextPool or AddDbContextFactory) with <c>UseNpgsql(..., npgsql => npgsql.UseEfJobs())</c>.
    /// Every option and the model are validated when the host starts (<c>ValidateOnStart</c>), also with
    /// <see cref="EfJobsOptions.RunInHost"/> false: a bad setting stops the host with a message naming it.
    /// </summary>
    /// <example>
    /// <code>
    /// services.AddEfJobs&lt;AppDbContext&gt;(jobs => jobs.AddJob&lt;SendMailJob, SendMailJobHandler&gt;(o => o.MaxAttempts = 5));
    /// </code>
    /// </example>
    /// <typeparam name="TContext">The application's DbContext, whose model holds the job types.</typeparam>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Adds job types with <see cref="EfJobsBuilder.AddJob{TJob, THandler}"/>.</param>
    /// <returns>The services, for chaining.</returns>
    /// <exception cref="InvalidOperationException">AddEfJobs was called before.</exception>
    public static IServiceCollection AddEfJobs<TContext>(this IServiceCollection services, Action<EfJobsBuilder> configure)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        if (services.Any(d => d.ServiceType == typeof(JobRunner)))
        {
            throw new InvalidOperationException("AddEfJobs was called twice; call it once and add every job type in it.");
        }

        var registrations = new List<JobRegistration>();
        configure(new EfJobsBuilder(services, registrations));

        services.AddOptions<EfJobsOptions>().ValidateOnStart();
        services.AddSingleton<IValidateOptions<EfJobsOptions>>(sp => new EfJobsOptionsValidator(sp, typeof(TContext), registrations));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IJobDatabase>(sp => new JobDatabase<TContext>(sp));
        services.AddSingleton(sp => new JobRunner(sp, registrations));
        services.AddSingleton<IRecurringJobs>(sp => new RecurringJobs(
            sp.GetRequiredService<IJobDatabase>(),
            sp.GetServices<RecurringSchedule>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>().CreateLogger(LogCategories.Runner)));
        services.AddSingleton(sp =>
        {
            var jobOptions = sp.GetRequiredService<IOptionsMonitor<JobOptions>>();
            return new JobQueueMonitor(
                sp.GetRequiredService<IJobDatabase>(),
                [.. registrations.Select(r => (r.JobType, jobOptions.Get(r.OptionsName).StaleJobTimeout))],
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<IOptions<EfJobsOptions>>().Value.QueueSampleInterval,
                sp.GetRequiredService<ILoggerFactory>().CreateLogger(LogCategories.Monitor),
                sp.GetService<IMeterFactory>());
        });
        services.AddHostedService<JobRunnerHostedService>();
        return services;
    }
}
