using EfJobs.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace EfJobs;

/// <summary>Registers job types and their handlers; passed to <c>AddEfJobs</c>.</summary>
public sealed class EfJobsBuilder
{
    private readonly List<JobRegistration> _registrations;
    private readonly Func<Type, JobOptions, JobRegistration> _createRegistration;

    internal EfJobsBuilder(IServiceCollection services, List<JobRegistration> registrations, Func<Type, JobOptions, JobRegistration> createRegistration)
    {
        Services = services;
        _registrations = registrations;
        _createRegistration = createRegistration;
    }

    /// <summary>The application's services.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Runs jobs of <typeparamref name="TJob"/> with <typeparamref name="THandler"/>, resolved from a fresh scope per
    /// job (registered as scoped unless already registered).
    /// </summary>
    /// <typeparam name="TJob">The job entity type; it must be in the DbContext's model.</typeparam>
    /// <typeparam name="THandler">The handler.</typeparam>
    /// <param name="configure">Sets the type's <see cref="JobOptions"/>; IHP's defaults otherwise.</param>
    /// <returns>The builder, for chaining.</returns>
    public EfJobsBuilder AddJob<TJob, THandler>(Action<JobOptions>? configure = null)
        where TJob : JobBase
        where THandler : class, IJobHandler<TJob>
    {
        if (_registrations.Any(r => r.JobType == typeof(TJob)))
        {
            throw new InvalidOperationException($"The job type {typeof(TJob).Name} is registered twice with AddJob; register each job type once.");
        }

        var options = new JobOptions();
        configure?.Invoke(options);
        Services.TryAddScoped<IJobHandler<TJob>, THandler>();
        _registrations.Add(_createRegistration(typeof(TJob), options));
        return this;
    }

    /// <summary>Sets the runner's process-wide <see cref="EfJobsOptions"/>.</summary>
    /// <param name="configure">Changes the options.</param>
    /// <returns>The builder, for chaining.</returns>
    public EfJobsBuilder Configure(Action<EfJobsOptions> configure)
    {
        Services.Configure(configure);
        return this;
    }

    internal static JobRegistration CreateRegistration<TContext>(Type jobType, JobOptions options)
        where TContext : DbContext
    {
        var registrationType = typeof(JobRegistration<,>).MakeGenericType(typeof(TContext), jobType);
        var handlerType = typeof(IJobHandler<>).MakeGenericType(jobType);
        return (JobRegistration)Activator.CreateInstance(registrationType, handlerType, options)!;
    }
}
