using EfJobs;
using EfJobs.HealthChecks;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using WebApp.Data;
using WebApp.Jobs;

namespace EfJobs.Sample.Tests;

/// <summary>README code that is not in the sample: it lives here so that it compiles, and a test runs it.</summary>
internal static class ReadmeSnippets
{
    public static IHost EnqueueOnlyWebApp(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.Services.AddDbContextPool<AppDbContext>(options =>
            AppDbContextOptions.Configure(options, AppDbContextOptions.ConnectionString(builder.Configuration)));
        builder.Services.AddEfJobs<AppDbContext>(jobs => jobs
            .AddJob<WelcomeMailJob, WelcomeMailJobHandler>()
            .Configure(o => o.RunInHost = false));
        return builder.Build();
    }

    /// <summary>README, Observability: OpenTelemetry and health checks in a web app.</summary>
    public static WebApplication ObservedWebApp(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddDbContextPool<AppDbContext>(options =>
            AppDbContextOptions.Configure(options, AppDbContextOptions.ConnectionString(builder.Configuration)));
        builder.Services.AddEfJobs<AppDbContext>(jobs => jobs.AddJob<WelcomeMailJob, WelcomeMailJobHandler>());
        builder.Services.AddOpenTelemetry()
            .WithTracing(t => t.AddAspNetCoreInstrumentation().AddEfJobsInstrumentation().AddOtlpExporter())
            .WithMetrics(m => m.AddEfJobsInstrumentation().AddOtlpExporter());
        builder.Services.AddHealthChecks().AddEfJobs(o => o.QueueLatencyUnhealthy = TimeSpan.FromMinutes(10));
        var app = builder.Build();
        app.MapHealthChecks("/health/live", new() { Predicate = c => c.Tags.Contains(EfJobsHealthChecks.LiveTag) });
        app.MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains(EfJobsHealthChecks.ReadyTag) });
        return app;
    }
}
