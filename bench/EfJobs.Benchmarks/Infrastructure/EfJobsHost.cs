using EfJobs.Benchmarks.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace EfJobs.Benchmarks.Infrastructure;

/// <summary>Builds the generic hosts the scenarios run EfJobs in: the real AddEfJobs, as an application would.</summary>
public static class EfJobsHost
{
    /// <summary>A host running <see cref="BenchJob"/> with <see cref="BenchJobHandler"/>.</summary>
    /// <param name="connectionString">The bench database.</param>
    /// <param name="recorder">Counts the handler's executions.</param>
    /// <param name="contextRegistration">"pool" (AddDbContextPool: the runner takes contexts from a scope), "factory" (AddPooledDbContextFactory, which the runner then leases from) or "scoped" (AddDbContext).</param>
    /// <param name="configure">Job options on top of the bench's (MaxConcurrency and so on).</param>
    /// <param name="configureProcess">Process-wide options (the prune scenario's PruneInterval), or null.</param>
    public static IHost Build(string connectionString, ExecutionRecorder recorder, string contextRegistration, Action<JobOptions> configure, Action<EfJobsOptions>? configureProcess = null)
    {
        var builder = CreateBuilder();
        builder.Services.AddSingleton(recorder);
        AddContext<BenchDbContext>(builder.Services, connectionString, contextRegistration);
        builder.Services.AddEfJobs<BenchDbContext>(jobs =>
        {
            jobs.AddJob<BenchJob, BenchJobHandler>(configure);
            if (configureProcess is not null)
            {
                jobs.Configure(configureProcess);
            }
        });
        return builder.Build();
    }

    /// <summary>A host with the ten idle types registered, default options.</summary>
    public static IHost BuildIdle(string connectionString, string contextRegistration)
    {
        var builder = CreateBuilder();
        AddContext<IdleDbContext>(builder.Services, connectionString, contextRegistration);
        builder.Services.AddEfJobs<IdleDbContext>(jobs => jobs
            .AddJob<IdleJob0, IdleJobHandler<IdleJob0>>()
            .AddJob<IdleJob1, IdleJobHandler<IdleJob1>>()
            .AddJob<IdleJob2, IdleJobHandler<IdleJob2>>()
            .AddJob<IdleJob3, IdleJobHandler<IdleJob3>>()
            .AddJob<IdleJob4, IdleJobHandler<IdleJob4>>()
            .AddJob<IdleJob5, IdleJobHandler<IdleJob5>>()
            .AddJob<IdleJob6, IdleJobHandler<IdleJob6>>()
            .AddJob<IdleJob7, IdleJobHandler<IdleJob7>>()
            .AddJob<IdleJob8, IdleJobHandler<IdleJob8>>()
            .AddJob<IdleJob9, IdleJobHandler<IdleJob9>>());
        return builder.Build();
    }

    /// <summary>Starts the host and waits until its LISTEN connection is up, so notifications reach it.</summary>
    public static async Task StartAndWaitForListenerAsync(IHost host, BenchDatabase database)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(database);
        await host.StartAsync().ConfigureAwait(false);
        await WaitForListenerAsync(host, database).ConfigureAwait(false);
    }

    public static async Task WaitForListenerAsync(IHost host, BenchDatabase database)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(database);
        var name = "efjobs-listener-" + host.Services.GetRequiredService<JobRunner>().WorkerId.ToString("N");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            await using var command = database.Bookkeeping.CreateCommand("SELECT count(*) FROM pg_stat_activity WHERE application_name = @name AND (query LIKE 'LISTEN%' OR query LIKE 'WITH live AS%')");
            command.Parameters.Add(new NpgsqlParameter<string>("name", name));
            if ((long)(await command.ExecuteScalarAsync().ConfigureAwait(false))! == 1)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the runner's LISTEN connection did not come up within 30 s");
            }

            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    private static HostApplicationBuilder CreateBuilder()
    {
        // No configuration files, no console logging: the runner's own cost, not the console's, is under test.
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        return builder;
    }

    private static void AddContext<TContext>(IServiceCollection services, string connectionString, string registration)
        where TContext : DbContext
    {
        void Configure(DbContextOptionsBuilder o) => o.UseNpgsql(connectionString, npgsql => npgsql.UseEfJobs());
        if (registration == "pool")
        {
            services.AddDbContextPool<TContext>(Configure);
        }
        else if (registration == "factory")
        {
            // The pooled factory is what the runner leases its contexts from; the scoped registration on top of it
            // serves the application's own code (and AddEfJobs' check that the context is a service).
            services.AddPooledDbContextFactory<TContext>(Configure);
            services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<TContext>>().CreateDbContext());
        }
        else
        {
            services.AddDbContext<TContext>(Configure);
        }
    }
}
