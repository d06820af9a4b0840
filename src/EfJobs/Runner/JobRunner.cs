using EfJobs.DependencyInjection;
using EfJobs.Diagnostics;
using EfJobs.Notifications;
using EfJobs.Runner;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EfJobs;

/// <summary>
/// The job runner of this process. The hosted service starts and stops it with the host; resolve it from DI to run
/// every due job to completion in a test or a script with <see cref="DrainAsync"/>.
/// </summary>
public sealed class JobRunner
{
    private readonly IServiceProvider _services;
    private readonly Type _contextType;
    private readonly IReadOnlyList<JobRegistration> _registrations;
    private readonly JobRunnerContext _context;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IReadOnlyList<IJobTypeRunner>? _typeRunners;
    private CancellationTokenSource? _stopListening;
    private Task? _listener;

    internal JobRunner(IServiceProvider services, Type contextType, IReadOnlyList<JobRegistration> registrations)
    {
        _services = services;
        _contextType = contextType;
        _registrations = registrations;
        _context = new JobRunnerContext(
            services.GetRequiredService<IOptions<EfJobsOptions>>().Value,
            services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<ILoggerFactory>().CreateLogger("EfJobs"));
    }

    /// <summary>The id this process writes to locked_by of the jobs it runs.</summary>
    public Guid WorkerId => _context.WorkerId;

    /// <summary>The registered job types.</summary>
    public IReadOnlyList<Type> JobTypes => [.. _registrations.Select(r => r.JobType)];

    /// <summary>
    /// Runs every job of the registered types that is due now, each type up to its MaxConcurrency at a time, until
    /// none is left, and records the results as the runner would. Jobs scheduled for later and retries waiting for
    /// their backoff are not run. Meant for tests and scripts (Oban's drain_queue): it works whether or not the
    /// hosted service is running.
    /// </summary>
    /// <param name="cancellationToken">Stops draining.</param>
    /// <returns>How many attempts ran.</returns>
    public async Task<int> DrainAsync(CancellationToken cancellationToken = default)
    {
        var runners = await GetTypeRunnersAsync().ConfigureAwait(false);
        var total = 0;
        foreach (var runner in runners)
        {
            total += await runner.DrainAsync(cancellationToken).ConfigureAwait(false);
        }

        return total;
    }

    internal async Task StartAsync(CancellationToken cancellationToken)
    {
        var runners = await GetTypeRunnersAsync().ConfigureAwait(false);
        Log.RunnerStarting(_context.Logger, WorkerId, string.Join(", ", runners.Select(r => r.Table.Name)));
        Func<Npgsql.NpgsqlConnection> connectionFactory;
        using (var scope = _services.CreateScope())
        {
            connectionFactory = JobNotificationListener.ConnectionFactory((DbContext)scope.ServiceProvider.GetRequiredService(_contextType), WorkerId);
        }

        foreach (var runner in runners)
        {
            runner.Start();
        }

        _stopListening = new CancellationTokenSource();
        var listener = new JobNotificationListener(connectionFactory, runners, _context);
        _listener = Task.Run(() => listener.RunAsync(_stopListening.Token), CancellationToken.None);
    }

    internal async Task StopAsync(CancellationToken shutdownTimeout)
    {
        if (_typeRunners is null || _stopListening is null)
        {
            return;
        }

        await _stopListening.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_typeRunners.Select(r => r.StopAsync(shutdownTimeout))).ConfigureAwait(false);
        if (_listener is not null)
        {
            await _listener.ConfigureAwait(false);
        }

        Log.RunnerStopped(_context.Logger, WorkerId);
    }

    // Validates the configuration on first use, so a mistake stops the host at start with a message naming it.
    private async Task<IReadOnlyList<IJobTypeRunner>> GetTypeRunnersAsync()
    {
        if (_typeRunners is { } built)
        {
            return built;
        }

        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            return _typeRunners ??= Build();
        }
        finally
        {
            _gate.Release();
        }
    }

    private List<IJobTypeRunner> Build()
    {
        if (_registrations.Count == 0)
        {
            throw new InvalidOperationException("AddEfJobs has no job types: add them with jobs.AddJob<TJob, THandler>().");
        }

        var isService = _services.GetService<IServiceProviderIsService>();
        if (isService?.IsService(_contextType) == false)
        {
            throw new InvalidOperationException(
                $"{_contextType.Name} is not registered: call services.AddDbContext<{_contextType.Name}>(o => o.UseNpgsql(connectionString, npgsql => npgsql.UseEfJobs())) before AddEfJobs.");
        }

        var runners = new List<IJobTypeRunner>(_registrations.Count);
        foreach (var registration in _registrations)
        {
            if (registration.Options.Validate() is { } problem)
            {
                throw new OptionsValidationException(
                    nameof(JobOptions),
                    typeof(JobOptions),
                    [$"EfJobs: JobOptions of {registration.JobType.Name}: {problem}"]);
            }

            runners.Add(registration.CreateRunner(_services, _context));
        }

        return runners;
    }
}
