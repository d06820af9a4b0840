using System.Text.RegularExpressions;

namespace EfJobs.Package.Tests;

/// <summary>The fenced blocks of one <c>## </c> section of the README, in order, up to its first <c>### </c> subsection.</summary>
internal static partial class ReadmeSection
{
    public static IReadOnlyList<ReadmeBlock> Blocks(string readme, string heading)
    {
        var section = Regex.Match(readme, $@"^## {Regex.Escape(heading)}\n(.*?)(?=^##+ |\z)", RegexOptions.Singleline | RegexOptions.Multiline);
        if (!section.Success)
        {
            throw new InvalidOperationException($"The README has no '## {heading}' section.");
        }

        return Block().Matches(section.Groups[1].Value)
            .Select(m => new ReadmeBlock(m.Groups[1].Value, m.Groups[2].Value))
            .ToList();
    }

    [GeneratedRegex(@"^```(\w+)\n(.*?)^```", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex Block();
}
