using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EfJobs.Sample.Tests;

public partial class ReadmeTests
{
    [Fact]
    public void Every_csharp_block_of_the_README_outside_the_quick_start_is_compiled_code()
    {
        var root = RepositoryRoot.Find();
        var readme = File.ReadAllText(Path.Combine(root, "README.md"));
        // The quick start's steps (up to its first subsection) are files of a fresh app that tests/EfJobs.Package.Tests
        // builds and runs.
        var quickStart = QuickStartSection().Match(readme);
        Assert.True(quickStart.Success, "The README has no '## Quick start' section.");
        var outsideQuickStart = readme.Remove(quickStart.Index, quickStart.Length);
        var blocks = CSharpBlock().Matches(outsideQuickStart).Select(m => m.Groups[1].Value).ToList();
        var sources = string.Join("\n", new[] { "samples", "tests" }
            .SelectMany(dir => Directory.EnumerateFiles(Path.Combine(root, dir), "*.cs", SearchOption.AllDirectories))
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(File.ReadAllText));

        Assert.NotEmpty(blocks);
        var normalizedSources = Normalize(sources);
        Assert.All(blocks, block => Assert.True(
            normalizedSources.Contains(Normalize(block), StringComparison.Ordinal),
            "This README block is not in the sample or test sources, so nothing compiles it:\n" + block));
    }

    [Fact]
    public void Enqueue_only_web_app_from_the_README_does_not_run_jobs()
    {
        using var host = ReadmeSnippets.EnqueueOnlyWebApp([]);
        Assert.False(host.Services.GetRequiredService<IOptions<EfJobsOptions>>().Value.RunInHost);
        Assert.Equal([typeof(WebApp.Jobs.WelcomeMailJob)], host.Services.GetRequiredService<JobRunner>().JobTypes);
    }

    [Fact]
    public void Recurring_jobs_and_retention_from_the_README_register_their_schedules_and_options()
    {
        using var host = ReadmeSnippets.RecurringJobsAndRetention([]);
        Assert.NotNull(host.Services.GetRequiredService<IRecurringJobs>());
        var mail = host.Services.GetRequiredService<IOptionsMonitor<JobOptions>>().Get(typeof(WebApp.Jobs.WelcomeMailJob).FullName);
        Assert.Equal(TimeSpan.FromDays(3), mail.SucceededRetention);
        Assert.Null(mail.FailedRetention);
        Assert.Equal(5_000, host.Services.GetRequiredService<IOptions<EfJobsOptions>>().Value.PruneBatchSize);
    }

    [Fact]
    public async Task Observed_web_app_from_the_README_has_EfJobs_health_checks_tagged_for_live_and_ready_probes()
    {
        await using var app = ReadmeSnippets.ObservedWebApp([]);
        var registrations = app.Services.GetRequiredService<IOptions<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckServiceOptions>>().Value.Registrations;
        Assert.Equal(["efjobs-runner"], registrations.Where(r => r.Tags.Contains("live")).Select(r => r.Name));
        Assert.Equal(["efjobs-queue-latency", "efjobs-runner", "efjobs-stale-jobs"], registrations.Where(r => r.Tags.Contains("ready")).Select(r => r.Name).Order());
    }

    [Fact]
    public void README_sample_and_bench_recommend_the_same_DbContext_registration()
    {
        var root = RepositoryRoot.Find();
        string Read(params string[] path) => File.ReadAllText(Path.Combine([root, .. path]));

        Assert.Contains("Register the context with `AddDbContextPool<AppDbContext>(...)`", Read("README.md"), StringComparison.Ordinal);
        Assert.Contains("builder.Services.AddDbContextPool<AppDbContext>(", Read("README.md"), StringComparison.Ordinal);
        Assert.Contains("builder.Services.AddDbContextPool<AppDbContext>(", Read("samples", "WebApp", "Program.cs"), StringComparison.Ordinal);
        Assert.Contains("- Register the context with `AddDbContextPool<TContext>` (the default `--context pool`)", Read("bench", "README.md"), StringComparison.Ordinal);
        Assert.Contains("ContextRegistration { get; private set; } = \"pool\";", Read("bench", "EfJobs.Benchmarks", "BenchSettings.cs"), StringComparison.Ordinal);
    }

    private static string Normalize(string code) => Whitespace().Replace(code, " ").Trim();

    [GeneratedRegex(@"^## Quick start\n.*?(?=^##+ )", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex QuickStartSection();

    [GeneratedRegex(@"```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
