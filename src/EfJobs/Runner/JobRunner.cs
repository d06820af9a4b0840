using EfJobs.Configuration;
using EfJobs.DependencyInjection;
using EfJobs.Diagnostics;
using EfJobs.Model;
using EfJobs.Notifications;
using EfJobs.Queue;
using EfJobs.Runner;
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
    private readonly IJobDatabase _database;
    private readonly IReadOnlyList<JobRegistration> _registrations;
    private readonly JobRunnerContext _context;
    private readonly LivenessState _liveness;
    private readonly Lazy<IReadOnlyList<IJobTypeRunner>> _typeRunners;
    private CancellationTokenSource? _stopListening;
    private Task? _listener;
    private RecurringScheduler? _scheduler;
    private JobPruner? _pruner;
    private volatile bool _running;
    private volatile bool _listenerConnected;

    internal JobRunner(IServiceProvider services, IReadOnlyList<JobRegistration> registrations)
    {
        _services = services;
        _database = services.GetRequiredService<IJobDatabase>();
        _registrations = registrations;
        var loggers = services.GetRequiredService<ILoggerFactory>();
        _context = new JobRunnerContext(
            services.GetRequiredService<IOptions<EfJobsOptions>>().Value,
            services.GetRequiredService<TimeProvider>(),
            loggers.CreateLogger(LogCategories.Runner),
            loggers);
        _liveness = new LivenessState(WorkerLiveness.LockKey(WorkerId) is not null);
        _typeRunners = new Lazy<IReadOnlyList<IJobTypeRunner>>(Build);
    }

    /// <summary>The id this process writes to locked_by of the jobs it runs.</summary>
    public Guid WorkerId => _context.WorkerId;

    /// <summary>The registered job types.</summary>
    public IReadOnlyList<Type> JobTypes => [.. _registrations.Select(r => r.JobType)];

    /// <summary>
    /// Runs every job of the registered types that is due now, each type up to its MaxConcurrency at a time, until
    /// none is left, and records the results as the runner would (same executor, result writer and heartbeat). Jobs
    /// scheduled for later and retries waiting for their backoff are not run. Meant for tests and scripts (Oban's
    /// drain_queue): it works whether or not the hosted service is running.
    /// </summary>
    /// <param name="cancellationToken">Stops fetching more jobs.</param>
    /// <returns>How many attempts ran.</returns>
    public async Task<int> DrainAsync(CancellationToken cancellationToken = default)
    {
        // Without the hosted runner nobody holds this worker's liveness lock, and its rows would look like a dead
        // worker's to other processes: hold the lock on a connection of its own for the drain.
        Npgsql.NpgsqlConnection? liveness = null;
        if (_listener is null && WorkerLiveness.LockKey(WorkerId) is { } key)
        {
            liveness = _database.WithContext(db => JobNotificationListener.ConnectionFactory(db, WorkerId))();
            await liveness.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new Npgsql.NpgsqlCommand(WorkerLiveness.AcquireSql(key), liveness);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            return await DrainTypesAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (liveness is not null)
            {
                await liveness.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<int> DrainTypesAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        foreach (var runner in _typeRunners.Value)
        {
            total += await runner.DrainAsync(cancellationToken).ConfigureAwait(false);
        }

        return total;
    }

    internal Task StartAsync(CancellationToken cancellationToken)
    {
        var runners = _typeRunners.Value;
        Log.RunnerStarting(_context.Logger, WorkerId, string.Join(", ", runners.Select(r => r.Table.Name)));
        WarnAboutUnservedJobTypes();
        var connectionFactory = _database.WithContext(db => JobNotificationListener.ConnectionFactory(db, WorkerId));
        foreach (var runner in runners)
        {
            runner.Start();
        }

        var lockKey = WorkerLiveness.LockKey(WorkerId);
        var deadWorkerRescuer = lockKey is null ? null : new DeadWorkerRescuer(
            [.. runners.Select(r => (r.Table, r.Options.MaxAttempts))],
            table => runners.First(r => r.Table == table).Signal(),
            _context);
        _stopListening = new CancellationTokenSource();
        var listener = new JobNotificationListener(
            connectionFactory,
            runners.ToDictionary(r => JobNotificationNames.Channel(r.Table.Name, r.Table.Schema), r => (Action)r.Signal, StringComparer.Ordinal),
            lockKey is { } key ? WorkerLiveness.AcquireSql(key) : null,
            connected =>
            {
                _listenerConnected = connected;
                _liveness.Set(connected);
                if (connected)
                {
                    // Jobs may have been inserted while the connection was down: look once, do not wait for the poll.
                    foreach (var runner in runners)
                    {
                        runner.Signal();
                    }
                }
            },
            RetryPolicy.Reconnect.Delay,
            _context.LoggerFor(LogCategories.Listener),
            _context.TimeProvider,
            deadWorkerRescuer is null ? null : deadWorkerRescuer.CheckAsync);
        _listener = Task.Run(() => listener.RunAsync(_stopListening.Token), CancellationToken.None);

        // Recurring jobs and retention: one loop each per process, every process alike (no leader).
        var schedules = _services.GetServices<RecurringSchedule>().ToList();
        _scheduler = schedules.Count == 0 ? null : new RecurringScheduler(_database, schedules, _context);
        _scheduler?.Start();
        var retained = runners.Where(r => r.Options.SucceededRetention is not null || r.Options.FailedRetention is not null || r.Options.TimedOutRetention is not null).ToList();
        _pruner = retained.Count == 0 ? null : new JobPruner(_database, [.. retained.Select(r => (r.Table, r.Options))], _context);
        _pruner?.Start();
        _running = true;
        return Task.CompletedTask;
    }

    internal async Task StopAsync(CancellationToken shutdownTimeout)
    {
        if (_stopListening is null || !_typeRunners.IsValueCreated)
        {
            return;
        }

        // No new recurring jobs and no deletes once the stop has begun; each ends its current statement.
        await Task.WhenAll(_scheduler?.StopAsync() ?? Task.CompletedTask, _pruner?.StopAsync() ?? Task.CompletedTask).ConfigureAwait(false);
        _running = false;
        await Task.WhenAll(_typeRunners.Value.Select(r => r.StopAsync(shutdownTimeout))).ConfigureAwait(false);

        // The liveness lock goes last: until every job is given back, this worker's rows must not look dead.
        await _stopListening.CancelAsync().ConfigureAwait(false);
        if (_listener is not null)
        {
            await _listener.ConfigureAwait(false);
        }

        Log.RunnerStopped(_context.Logger, WorkerId);
    }

    /// <summary>What the runner health check reports: running, listener connected, loops alive, triggers found.</summary>
    internal JobRunnerState State()
    {
        if (!_running || !_typeRunners.IsValueCreated)
        {
            return new JobRunnerState(false, false, [], []);
        }

        var runners = _typeRunners.Value;
        List<string> stopped = [.. runners.SelectMany(r => r.StoppedLoops())];
        if (_listener is { IsCompleted: true })
        {
            stopped.Insert(0, "listener");
        }

        return new JobRunnerState(
            true,
            _listenerConnected,
            stopped,
            [.. runners.Where(r => r.TriggersHealthy == false).Select(r => r.Table.Name)]);
    }

    private List<IJobTypeRunner> Build()
    {
        var monitor = _services.GetRequiredService<IOptionsMonitor<JobOptions>>();
        return [.. _registrations.Select(r => r.CreateRunner(_services, _database, _context, monitor.Get(r.OptionsName), _liveness))];
    }

    // A job type in the model that no AddJob serves would wait forever in silence.
    private void WarnAboutUnservedJobTypes()
    {
        var unserved = _database.WithContext(db => db.Model.GetEntityTypes()
            .Where(e => typeof(JobBase).IsAssignableFrom(e.ClrType) && !e.ClrType.IsAbstract && !e.IsOwned())
            .Select(e => e.ClrType)
            .Except(_registrations.Select(r => r.JobType))
            .Select(t => t.Name)
            .ToArray());
        if (unserved.Length > 0)
        {
            Log.UnservedJobTypes(_context.Logger, WorkerId, string.Join(", ", unserved));
        }
    }
}
