using EfJobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
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
}
