using System.IO.Compression;
using System.Xml.Linq;

namespace EfJobs.Package.Tests;

/// <summary>What `dotnet pack` writes, as the README's install section lists it, and what each package carries.</summary>
[Collection(PackagesCollection.Name)]
public sealed class PackageContentTests(PackedPackages packages)
{
    [Fact]
    public void Dotnet_pack_writes_every_file_the_README_lists()
    {
        Assert.NotEmpty(packages.Listed);
        Assert.All(packages.Listed, name => Assert.True(File.Exists(Path.Combine(packages.Feed, name)), $"{name} is not in {packages.Feed}"));
    }

    [Fact]
    public void Every_project_under_src_is_packed()
    {
        var solution = XDocument.Load(Path.Combine(packages.Root, "src", "EfJobs.Packages.slnx"));
        var listed = solution.Descendants("Project").Select(p => (string)p.Attribute("Path")!).ToHashSet();
        var projects = Directory.EnumerateFiles(Path.Combine(packages.Root, "src"), "*.csproj", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(Path.Combine(packages.Root, "src"), path).Replace('\\', '/'));
        Assert.All(projects, project => Assert.True(listed.Contains(project), $"{project} is not in src/EfJobs.Packages.slnx, so `dotnet pack src` leaves it out"));
        Assert.All(listed, project => Assert.Contains(packages.Listed, name => name.StartsWith(Path.GetFileNameWithoutExtension(project) + ".", StringComparison.Ordinal)));
    }

    [Fact]
    public void Each_package_has_readme_license_repository_xml_docs_and_symbols()
    {
        foreach (var name in packages.Listed.Where(n => n.EndsWith(".nupkg", StringComparison.Ordinal)))
        {
            using var package = ZipFile.OpenRead(Path.Combine(packages.Feed, name));
            var metadata = Nuspec(package);
            var ns = metadata.Name.Namespace;
            var id = metadata.Element(ns + "id")!.Value;
            Assert.Equal("MIT", metadata.Element(ns + "license")?.Value);
            Assert.Equal("README.md", metadata.Element(ns + "readme")?.Value);
            Assert.StartsWith("https://", (string?)metadata.Element(ns + "repository")?.Attribute("url"), StringComparison.Ordinal);
            Assert.NotNull(package.GetEntry("README.md"));
            Assert.NotNull(package.GetEntry("LICENSE"));
            Assert.NotNull(package.GetEntry($"lib/net10.0/{id}.dll"));
            Assert.NotNull(package.GetEntry($"lib/net10.0/{id}.xml"));

            var symbols = Path.Combine(packages.Feed, Path.ChangeExtension(name, ".snupkg"));
            Assert.True(File.Exists(symbols), $"{symbols} is missing");
            using var symbolPackage = ZipFile.OpenRead(symbols);
            Assert.NotNull(symbolPackage.GetEntry($"lib/net10.0/{id}.pdb"));
        }
    }

    [Fact]
    public void The_migrations_package_adds_the_design_time_services_reference_to_its_consumers()
    {
        var name = packages.Listed.Single(n => n.StartsWith("EfJobs.Migrations.", StringComparison.Ordinal) && n.EndsWith(".nupkg", StringComparison.Ordinal));
        using var package = ZipFile.OpenRead(Path.Combine(packages.Feed, name));
        foreach (var folder in new[] { "build", "buildTransitive" })
        {
            var entry = package.GetEntry($"{folder}/EfJobs.Migrations.props");
            Assert.NotNull(entry);
            using var reader = new StreamReader(entry.Open());
            var props = XDocument.Parse(reader.ReadToEnd());
            var attribute = props.Descendants("AssemblyAttribute").Single();
            Assert.Equal("Microsoft.EntityFrameworkCore.Design.DesignTimeServicesReferenceAttribute", (string?)attribute.Attribute("Include"));
            Assert.Equal("EfJobs.Migrations.Design.EfJobsDesignTimeServices, EfJobs.Migrations", attribute.Element("_Parameter1")?.Value);
        }
    }

    private static XElement Nuspec(ZipArchive package)
    {
        var entry = package.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var reader = new StreamReader(entry.Open());
        var root = XDocument.Parse(reader.ReadToEnd()).Root!;
        return root.Element(root.Name.Namespace + "metadata")!;
    }
}
