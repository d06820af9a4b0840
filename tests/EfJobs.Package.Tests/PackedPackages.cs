using System.Diagnostics;

namespace EfJobs.Package.Tests;

/// <summary>
/// Runs the README's install commands (<c>dotnet pack</c>) once in the repository and reads the list of files the
/// README says they write. ./test.sh has built the solution just before, so the pack finds it up to date.
/// </summary>
public sealed class PackedPackages : IAsyncLifetime
{
    public const string FeedFolder = "artifacts/packages";

    public string Root { get; } = RepositoryRoot.Find();

    public string Readme { get; private set; } = "";

    public string Feed => Path.Combine(Root, FeedFolder);

    /// <summary>The file names the README's install section lists.</summary>
    public IReadOnlyList<string> Listed { get; private set; } = [];

    public TimeSpan PackTime { get; private set; }

    public async Task InitializeAsync()
    {
        Readme = await File.ReadAllTextAsync(Path.Combine(Root, "README.md"));
        var blocks = ReadmeSection.Blocks(Readme, "Install");
        var commands = blocks.Where(b => b.Language == "sh").ToList();
        Assert.Contains(commands, b => b.Code.Contains("dotnet pack", StringComparison.Ordinal) && b.Code.Contains("-o " + FeedFolder, StringComparison.Ordinal));
        Listed = blocks.Single(b => b.Language == "text").Lines.Select(line => line.Trim()).ToList();

        var stopwatch = Stopwatch.StartNew();
        var shell = new Shell(new Dictionary<string, string>());
        foreach (var block in commands)
        {
            await shell.RunAsync(block.Code, Root, TimeSpan.FromMinutes(5));
        }

        PackTime = stopwatch.Elapsed;
    }

    public Task DisposeAsync() => Task.CompletedTask;
}
