using System.Globalization;

namespace EfJobs.Queue;

/// <summary>What a failed attempt leaves in <c>last_error</c>.</summary>
internal static class JobErrorText
{
    /// <summary>The most characters kept: a stack trace of a deep recursion must not bloat the job table.</summary>
    public const int MaxLength = 16 * 1024;

    public const string TimeoutReached = "Timeout reached";

    public const string StaleCrashed = "Stale job: worker likely crashed";

    public const string StaleRescued = "Stale job: worker likely crashed; released for another attempt";

    /// <summary>The exception's type, message and stack trace (inner exceptions included), cut to <see cref="MaxLength"/>.</summary>
    public static string From(Exception exception) => Bound(exception.ToString());

    public static string Bound(string text)
    {
        if (text.Length <= MaxLength)
        {
            return text;
        }

        var marker = string.Create(CultureInfo.InvariantCulture, $"\n... ({text.Length - MaxLength} characters cut)");
        return string.Concat(text.AsSpan(0, MaxLength - marker.Length), marker);
    }
}
