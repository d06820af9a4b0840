using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace EfJobs.Package.Tests;

/// <summary>Versions the README hands to newcomers, and central package versions, stay in step with the repository.</summary>
public sealed partial class RepositoryHygieneTests
{
    private readonly string _root = RepositoryRoot.Find();

    [Fact]
    public void The_README_installs_the_EF_Design_and_dotnet_ef_versions_the_repository_uses()
    {
        var readme = File.ReadAllText(Path.Combine(_root, "README.md"));
        var design = CentralVersions()["Microsoft.EntityFrameworkCore.Design"];
        using var tools = JsonDocument.Parse(File.ReadAllText(Path.Combine(_root, "dotnet-tools.json")));
        var dotnetEf = tools.RootElement.GetProperty("tools").GetProperty("dotnet-ef").GetProperty("version").GetString();

        Assert.Contains($"dotnet add package Microsoft.EntityFrameworkCore.Design --version {design}\n", readme, StringComparison.Ordinal);
        Assert.Contains($"dotnet tool install dotnet-ef --version {dotnetEf}\n", readme, StringComparison.Ordinal);
        Assert.Equal(design, dotnetEf);
    }

    [Fact]
    public void Every_central_package_version_is_used_by_a_project()
    {
        var references = new[] { "src", "tests", "samples", "bench" }
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(_root, folder), "*.*proj", SearchOption.AllDirectories)
                .Concat(Directory.EnumerateFiles(Path.Combine(_root, folder), "Directory.Build.props", SearchOption.AllDirectories)))
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(path => PackageReference().Matches(File.ReadAllText(path)).Select(m => m.Groups[1].Value))
            .ToHashSet();
        Assert.All(CentralVersions().Keys, package => Assert.True(references.Contains(package), $"{package} has a version in Directory.Packages.props but no project references it"));
    }

    private Dictionary<string, string> CentralVersions() =>
        XDocument.Load(Path.Combine(_root, "Directory.Packages.props"))
            .Descendants("PackageVersion")
            .ToDictionary(p => (string)p.Attribute("Include")!, p => (string)p.Attribute("Version")!);

    [GeneratedRegex(@"<PackageReference\s+Include=""([^""]+)""")]
    private static partial Regex PackageReference();
}
