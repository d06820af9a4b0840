using EfJobs.Runner;
using EfJobs.DependencyInjection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace EfJobs;

/// <summary>Registers job types and their handlers; passed to <c>AddEfJobs</c>.</summary>
public sealed class EfJobsBuilder
{
    private readonly List<JobRegistration> _registrations;

    internal EfJobsBuilder(IServiceCollection services, List<JobRegistration> registrations)
    {
        Services = services;
        _registrations = registrations;
    }

    /// <summary>The application's services.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Runs jobs of <typeparamref name="TJob"/> with <typeparamref name="THandler"/>, resolved from a fresh scope per
    /// job (registered as scoped unless already registered). The type's <see cref="JobOptions"/> are named options
    /// (named after the type's full name), validated when the host starts whether or not the runner runs in it.
    /// </summary>
    /// <typeparam name="TJob">The job entity type; it must be in the DbContext's model.</typeparam>
    /// <typeparam name="THandler">The handler.</typeparam>
    /// <param name="configure">Sets the type's <see cref="JobOptions"/>; IHP's defaults otherwise.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="InvalidOperationException">The type is registered already.</exception>
    public EfJobsBuilder AddJob<TJob, THandler>(Action<JobOptions>? configure = null)
        where TJob : JobBase
        where THandler : class, IJobHandler<TJob>
    {
        if (_registrations.Any(r => r.JobType == typeof(TJob)))
        {
            throw new InvalidOperationException($"The job type {typeof(TJob).Name} is registered twice with AddJob; register each job type once.");
        }

        var registration = new JobRegistration<TJob>();
        var options = Services.AddOptions<JobOptions>(registration.OptionsName);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        Services.AddSingleton<IValidateOptions<JobOptions>>(new JobOptionsValidator(registration.OptionsName, typeof(TJob).Name));
        Services.TryAddScoped<IJobHandler<TJob>, THandler>();
        _registrations.Add(registration);
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
}
