using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace EfJobs.Tests.Infrastructure;

/// <summary>A real generic host running EfJobs against the test database, as an application would.</summary>
public sealed class RunnerHost : IAsyncDisposable
{
    private RunnerHost(IHost host, JobProbe probe, CapturingLoggerProvider logs)
    {
        Host = host;
        Probe = probe;
        Logs = logs;
    }

    public IHost Host { get; }

    public JobProbe Probe { get; }

    public CapturingLoggerProvider Logs { get; }

    public JobRunner Runner => Host.Services.GetRequiredService<JobRunner>();

    public static IHost Build(
        TestDatabase database,
        Action<JobOptions>? configureJob = null,
        Action<EfJobsOptions>? configureRunner = null,
        JobProbe? probe = null,
        CapturingLoggerProvider? logs = null,
        TimeSpan? shutdownTimeout = null,
        string? connectionString = null,
        Action<IServiceCollection>? configureServices = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs ?? new CapturingLoggerProvider());
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = shutdownTimeout ?? TimeSpan.FromSeconds(10));
        builder.Services.AddSingleton(probe ?? new JobProbe());
        configureServices?.Invoke(builder.Services);
        builder.Services.AddDbContext<TestDbContext>(o => o.UseNpgsql(connectionString ?? database.ConnectionString, npgsql => npgsql.UseEfJobs()));
        builder.Services.AddEfJobs<TestDbContext>(jobs =>
        {
            jobs.AddJob<TestJob, TestJobHandler>(o =>
            {
                o.PollInterval = TimeSpan.FromHours(1);
                o.Backoff = BackoffStrategy.Linear(TimeSpan.FromMilliseconds(100));
                configureJob?.Invoke(o);
            });
            if (configureRunner is not null)
            {
                jobs.Configure(configureRunner);
            }
        });
        return builder.Build();
    }

    public static async Task<RunnerHost> StartAsync(
        TestDatabase database,
        Action<JobOptions>? configureJob = null,
        Action<EfJobsOptions>? configureRunner = null,
        JobProbe? probe = null,
        TimeSpan? shutdownTimeout = null,
        string? connectionString = null,
        Action<IServiceCollection>? configureServices = null)
    {
        probe ??= new JobProbe();
        var logs = new CapturingLoggerProvider();
        var host = Build(database, configureJob, configureRunner, probe, logs, shutdownTimeout, connectionString, configureServices);
        await host.StartAsync();
        var runnerHost = new RunnerHost(host, probe, logs);
        await runnerHost.WaitForListenerAsync(database);
        return runnerHost;
    }

    /// <summary>
    /// Waits until the LISTEN connection is up, so a test can rely on notifications: its last statement is the LISTEN,
    /// or the dead-worker check the listener runs on the same connection after it.
    /// </summary>
    public async Task WaitForListenerAsync(TestDatabase database)
    {
        var name = "efjobs-listener-" + Runner.WorkerId.ToString("N");
        try
        {
            await WaitAsync();
        }
        catch (TimeoutException exception)
        {
            throw new TimeoutException(exception.Message + " Log:\n" + string.Join("\n", Logs.Entries.Select(e => $"{e.Level} {e.EventId} {e.Message}")), exception);
        }

        Task WaitAsync() => Eventually.TrueAsync(async () =>
        {
            await using var connection = await database.OpenConnectionAsync();
            await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE application_name = @name AND (query LIKE 'LISTEN%' OR query LIKE 'WITH live AS%')", connection);
            command.Parameters.AddWithValue("name", name);
            return (long)(await command.ExecuteScalarAsync())! == 1;
        }, TimeSpan.FromSeconds(10), "the LISTEN connection to come up");
    }

    public async ValueTask DisposeAsync()
    {
        await Host.StopAsync();
        Host.Dispose();
    }
}
