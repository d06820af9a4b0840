namespace EfJobs.Package.Tests;

/// <summary>The tests that read the packages share one `dotnet pack` and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class PackagesCollection : ICollectionFixture<PackedPackages>
{
    public const string Name = "packages";
}
