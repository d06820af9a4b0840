using System.Text.RegularExpressions;
using Mono.Cecil;
using NetArchTest.Rules;

namespace EfJobs.Tests;

/// <summary>
/// Keeps docs/architecture.md's "which folder may use which" true. Folders, not namespaces, are the components (public
/// types keep the namespaces users import), so each type is placed by the file that declares it, and NetArchTest
/// checks the compiled assembly, async state machines and lambdas included.
/// </summary>
public partial class ArchitectureTests
{
    // Each folder of src/EfJobs and the folders it may use; "(root)" and Configuration are the contract every folder may use.
    private static readonly Dictionary<string, string[]> MayUse = new()
    {
        ["(root)"] = ["Configuration"],
        ["Configuration"] = ["(root)"],
        ["Diagnostics"] = ["(root)", "Configuration"],
        ["Model"] = ["(root)", "Configuration", "Diagnostics"],
        ["Notifications"] = ["(root)", "Configuration", "Diagnostics", "Model"],
        ["Queue"] = ["(root)", "Configuration", "Diagnostics", "Model", "Notifications"],
        ["Runner"] = ["(root)", "Configuration", "Diagnostics", "Model", "Notifications", "Queue"],
        ["HealthChecks"] = ["(root)", "Configuration", "Diagnostics", "Model", "Notifications", "Queue", "Runner"],
        ["DependencyInjection"] = ["(root)", "Configuration", "Diagnostics", "Model", "Notifications", "Queue", "Runner", "HealthChecks"],
    };

    public static TheoryData<string> Folders => [.. MayUse.Keys];

    [Fact]
    public void Every_folder_of_src_EfJobs_has_a_rule()
    {
        Assert.Equal(MayUse.Keys.Order(), TypesByFolder().Keys.Order());
    }

    [Theory]
    [MemberData(nameof(Folders))]
    public void A_folder_uses_only_the_folders_below_it(string folder)
    {
        var byFolder = TypesByFolder();
        var own = byFolder[folder].ToHashSet(StringComparer.Ordinal);
        var forbidden = byFolder.Where(f => f.Key != folder && !MayUse[folder].Contains(f.Key)).SelectMany(f => f.Value).ToArray();

        var result = Types.InAssembly(typeof(JobBase).Assembly)
            .That().MeetCustomRule(new DeclaredIn(own))
            .ShouldNot().HaveDependencyOnAny(forbidden)
            .GetResult();

        Assert.True(result.IsSuccessful, $"{folder} uses a folder it may not: " + string.Join(", ", result.FailingTypeNames ?? []));
    }

    // Top-level type full names (generic arity as `N, as IL names them) by folder, read from the sources.
    private static Dictionary<string, List<string>> TypesByFolder()
    {
        var source = Path.Combine(RepositoryRoot(), "src", "EfJobs");
        var byFolder = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, Path.GetDirectoryName(file)!);
            if (relative.StartsWith("obj", StringComparison.Ordinal) || relative.StartsWith("bin", StringComparison.Ordinal))
            {
                continue;
            }

            var folder = relative == "." ? "(root)" : relative.Split(Path.DirectorySeparatorChar)[0];
            var text = File.ReadAllText(file);
            var ns = Namespace().Match(text).Groups[1].Value;
            foreach (Match declaration in TypeDeclaration().Matches(text))
            {
                var arity = declaration.Groups[2].Success ? "`" + (declaration.Groups[2].Value.Count(c => c == ',') + 1) : "";
                (byFolder.TryGetValue(folder, out var list) ? list : byFolder[folder] = []).Add($"{ns}.{declaration.Groups[1].Value}{arity}");
            }
        }

        return byFolder;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EfJobs.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("EfJobs.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^namespace ([\w.]+);", RegexOptions.Multiline)]
    private static partial Regex Namespace();

    // Top-level declarations only: they start at column 0 in this codebase's style.
    [GeneratedRegex(@"^(?:public |internal )?(?:static |sealed |abstract |readonly |partial )*(?:class|struct|interface|enum|record(?: struct| class)?) (\w+)(<[^>]+>)?", RegexOptions.Multiline)]
    private static partial Regex TypeDeclaration();

    // A type, or a type nested in it (state machines, closures), declared in one of the given top-level types.
    private sealed class DeclaredIn(HashSet<string> types) : ICustomRule
    {
        public bool MeetsRule(TypeDefinition type)
        {
            var top = type;
            while (top.DeclaringType is not null)
            {
                top = top.DeclaringType;
            }

            return types.Contains(top.FullName);
        }
    }
}
