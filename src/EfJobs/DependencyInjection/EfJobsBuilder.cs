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

    /// <summary>
    /// Declares a recurring job: at every tick of <paramref name="cron"/> in <paramref name="timeZone"/>, one job made
    /// by <paramref name="factory"/> is enqueued, exactly once across all processes (no leader: each tick is claimed by
    /// a compare-and-set on the schedules table in the transaction that inserts the job). The job type needs a
    /// handler (<see cref="AddJob{TJob, THandler}"/>) in some process, and the schedules table (migrations create it).
    /// Every process that runs the runner declares its schedules when it starts: a new or changed one is upserted, and
    /// schedules no longer declared are disabled.
    /// </summary>
    /// <example>
    /// <code>
    /// jobs.AddRecurring("nightly-report", "0 3 * * *", TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"),
    ///     () =&gt; new ReportJob { Kind = "daily" }, o =&gt; o.Overlap = OverlapPolicy.Skip);
    /// </code>
    /// </example>
    /// <typeparam name="TJob">The job entity type; it must be in the DbContext's model.</typeparam>
    /// <param name="name">The schedule's name, unique in the database (at most 200 characters); renaming it makes a new schedule.</param>
    /// <param name="cron">A cron expression of 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), as Cronos reads it.</param>
    /// <param name="timeZone">
    /// The zone the expression is read in, from an IANA id (<c>TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")</c>) or
    /// <see cref="TimeZoneInfo.Utc"/>. Across daylight-saving changes a local time that is skipped runs once at the
    /// change, and one that occurs twice runs once.
    /// </param>
    /// <param name="factory">Makes the job of a tick; its <see cref="JobBase.RunAt"/> is set to the tick.</param>
    /// <param name="configure">Sets the schedule's <see cref="RecurringJobOptions"/> (misfire and overlap policies).</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentException">The name is empty, too long or declared twice; the cron expression or an option is invalid.</exception>
    // RS0026 guards against adding an optional parameter to an overload that already shipped; both overloads are new
    // and differ in the factory's arity, so a lambda picks one without ambiguity.
#pragma warning disable RS0026
    public EfJobsBuilder AddRecurring<TJob>(string name, string cron, TimeZoneInfo timeZone, Func<TJob> factory, Action<RecurringJobOptions>? configure = null)
        where TJob : JobBase
    {
        ArgumentNullException.ThrowIfNull(factory);
        return AddRecurring<TJob>(name, cron, timeZone, _ => factory(), configure);
    }

    /// <summary>
    /// Declares a recurring job whose factory is told the tick (<see cref="RecurringTick"/>): the schedule's name and the
    /// tick's time, to store in the job when it must know which tick made it. Otherwise as
    /// <see cref="AddRecurring{TJob}(string, string, TimeZoneInfo, Func{TJob}, Action{RecurringJobOptions}?)"/>.
    /// </summary>
    /// <typeparam name="TJob">The job entity type; it must be in the DbContext's model.</typeparam>
    /// <param name="name">The schedule's name, unique in the database (at most 200 characters).</param>
    /// <param name="cron">A cron expression of 5 fields, or 6 with seconds first.</param>
    /// <param name="timeZone">The zone the expression is read in.</param>
    /// <param name="factory">Makes the job of a tick; its <see cref="JobBase.RunAt"/> is set to the tick.</param>
    /// <param name="configure">Sets the schedule's <see cref="RecurringJobOptions"/>.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentException">The name is empty, too long or declared twice; the cron expression or an option is invalid.</exception>
    public EfJobsBuilder AddRecurring<TJob>(string name, string cron, TimeZoneInfo timeZone, Func<RecurringTick, TJob> factory, Action<RecurringJobOptions>? configure = null)
#pragma warning restore RS0026
        where TJob : JobBase
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(cron);
        ArgumentNullException.ThrowIfNull(timeZone);
        ArgumentNullException.ThrowIfNull(factory);
        if (string.IsNullOrWhiteSpace(name) || name.Length > RecurringSchedule.MaxNameLength)
        {
            throw new ArgumentException($"The name of a recurring job must be 1 to {RecurringSchedule.MaxNameLength} characters, not blank (was '{name}').", nameof(name));
        }

        if (Services.Any(d => d.ServiceType == typeof(RecurringSchedule) && d.ImplementationInstance is RecurringSchedule s && s.Name == name))
        {
            throw new ArgumentException($"The recurring job '{name}' is declared twice with AddRecurring; give each schedule its own name.", nameof(name));
        }

        var options = new RecurringJobOptions();
        configure?.Invoke(options);
        if (options.Validate() is { } problem)
        {
            throw new ArgumentException($"EfJobs: RecurringJobOptions of the recurring job '{name}': {problem}", nameof(configure));
        }

        Services.AddSingleton<RecurringSchedule>(new RecurringSchedule<TJob>(name, cron, timeZone, options, factory));
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
