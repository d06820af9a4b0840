using System.Xml.Linq;

namespace EfJobs.Migrations.Tests.Infrastructure;

/// <summary>Paths and pinned versions of the repository the tests run from.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>The configuration this test assembly was built with; scratch projects build their references the same way.</summary>
    public const string Configuration =
#if DEBUG
        "Debug";
#else
        "Release";
#endif

    /// <summary>A package's version pinned in Directory.Packages.props, so scratch projects restore what the repo restores.</summary>
    public static string PackageVersion(string id) =>
        XDocument.Load(Path.Combine(Root, "Directory.Packages.props"))
            .Descendants("PackageVersion")
            .Single(e => (string?)e.Attribute("Include") == id)
            .Attribute("Version")!.Value;

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "EfJobs.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("EfJobs.sln was not found above " + AppContext.BaseDirectory);
    }
}
