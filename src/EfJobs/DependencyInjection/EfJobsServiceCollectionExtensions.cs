using EfJobs;
using EfJobs.DependencyInjection;
using EfJobs.Runner;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds EfJobs' runner to an application.</summary>
public static class EfJobsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the job runner for <typeparamref name="TContext"/> and the job types configured in
    /// <paramref name="configure"/>, including the hosted service that runs them. The context must be registered
    /// (AddDbContext, AddDbContextPool or AddDbContextFactory) with <c>UseNpgsql(..., npgsql => npgsql.UseEfJobs())</c>.
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
        configure(new EfJobsBuilder(services, registrations, EfJobsBuilder.CreateRegistration<TContext>));

        services.AddOptions<EfJobsOptions>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new JobRunner(sp, typeof(TContext), registrations));
        services.AddHostedService<JobRunnerHostedService>();
        return services;
    }
}
