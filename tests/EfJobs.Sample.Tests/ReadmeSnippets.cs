using EfJobs;
using EfJobs.HealthChecks;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
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

    /// <summary>README, Enqueueing: many jobs by COPY in the caller's transaction.</summary>
    public static async Task BulkEnqueueAsync(AppDbContext db, int count)
    {
        await using var transaction = await db.Database.BeginTransactionAsync();
        await db.BulkInsertJobsAsync(Enumerable.Range(0, count).Select(_ => new DemoJob { WorkMs = 10 }));
        await transaction.CommitAsync();
    }

    public static IHost RecurringJobsAndRetention(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.Services.AddDbContextPool<AppDbContext>(options =>
            AppDbContextOptions.Configure(options, AppDbContextOptions.ConnectionString(builder.Configuration)));
        builder.Services.AddEfJobs<AppDbContext>(jobs =>
        {
            jobs.AddJob<DemoJob, DemoJobHandler>()
                .AddRecurring("nightly-demo", "30 2 * * *", TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"),
                    () => new DemoJob { WorkMs = 100 },
                    o => o.Overlap = OverlapPolicy.Skip)
                .AddRecurring("every-ten-seconds", "*/10 * * * * *", TimeZoneInfo.Utc,
                    tick => new DemoJob { WorkMs = tick.Time.Second },
                    o =>
                    {
                        o.Misfire = MisfirePolicy.CatchUp;
                        o.CatchUpLimit = 5;
                    });

            jobs.AddJob<WelcomeMailJob, WelcomeMailJobHandler>(o =>
            {
                o.SucceededRetention = TimeSpan.FromDays(3);
                o.FailedRetention = null; // keep failed mails forever
            });
            jobs.Configure(o => o.PruneBatchSize = 5_000);
        });
        return builder.Build();
    }

    public static async Task OperateRecurringJobsAsync(IServiceProvider services)
    {
        var recurring = services.GetRequiredService<IRecurringJobs>();
        foreach (var schedule in await recurring.ListAsync())
        {
            Console.WriteLine($"{schedule.Name}: next {schedule.NextTick:o}, last {schedule.LastTick:o}, paused {schedule.Paused}");
        }

        await recurring.PauseAsync("nightly-demo");
        await recurring.ResumeAsync("nightly-demo");
        var jobId = await recurring.RunNowAsync("nightly-demo");
        Console.WriteLine($"enqueued {jobId}");
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
