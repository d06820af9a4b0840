namespace EfJobs.Package.Tests;

/// <summary>One fenced block of the README: its language (sh, csharp, text) and its text.</summary>
internal sealed record ReadmeBlock(string Language, string Code)
{
    /// <summary>The lines of the block, without blank ones.</summary>
    public IReadOnlyList<string> Lines => Code.Split('\n').Where(line => line.Trim().Length > 0).ToList();
}
