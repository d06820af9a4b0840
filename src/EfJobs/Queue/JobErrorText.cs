using System.Globalization;
using System.Text;

namespace EfJobs.Queue;

/// <summary>
/// Every text EfJobs writes to <c>last_error</c>: bounded, valid for PostgreSQL <c>text</c>, and built without ever
/// throwing, whatever the exception it describes.
/// </summary>
/// <remarks>
/// PostgreSQL refuses a NUL character in <c>text</c> (SQLSTATE 22021) and the UTF-8 encoder refuses a lone UTF-16
/// surrogate; either used to make the result write fail forever and leave the job <c>running</c>. A throwing
/// <c>ToString()</c> override did the same. So the text is repaired before it reaches a statement, not after.
/// </remarks>
internal static class JobErrorText
{
    /// <summary>The most characters kept: a stack trace of a deep recursion must not bloat the job table.</summary>
    public const int MaxLength = 16 * 1024;

    public const string TimeoutReached = "Timeout reached";

    public const string StaleCrashed = "Stale job: worker likely crashed";

    public const string StaleRescued = "Stale job: worker likely crashed; released for another attempt";

    /// <summary>
    /// The exception's type, message and stack trace (inner exceptions included), cut to <see cref="MaxLength"/>. When
    /// <c>ToString()</c> throws, the type, whatever of the message can be read and the stack trace, and a note saying so.
    /// </summary>
    public static string From(Exception exception) => Bound(Describe(exception, out _));

    /// <summary>The exception as text, and whether its own <c>ToString()</c> worked (loggers call it too).</summary>
    public static string Describe(Exception exception, out bool toStringWorks)
    {
        try
        {
            toStringWorks = true;
            return exception.ToString();
        }
        catch (Exception formatting)
        {
            toStringWorks = false;
            var text = new StringBuilder();
            text.Append(exception.GetType().FullName);
            text.Append(": ").Append(Try(() => exception.Message) ?? "(its Message threw)");
            text.Append(CultureInfo.InvariantCulture, $"\n(its ToString() threw {formatting.GetType().FullName})");
            if (Try(() => exception.StackTrace) is { } stack)
            {
                text.Append('\n').Append(stack);
            }

            return text.ToString();
        }
    }

    /// <summary>
    /// Makes <paramref name="text"/> valid for a PostgreSQL <c>text</c> column and at most <see cref="MaxLength"/>
    /// characters: NUL becomes <c>\0</c>, a lone surrogate becomes U+FFFD, and a cut never splits a surrogate pair.
    /// </summary>
    public static string Bound(string text)
    {
        text = Repair(text);
        if (text.Length <= MaxLength)
        {
            return text;
        }

        var marker = string.Create(CultureInfo.InvariantCulture, $"\n... ({text.Length - MaxLength} characters cut)");
        var keep = MaxLength - marker.Length;
        if (char.IsHighSurrogate(text[keep - 1]))
        {
            keep--;
        }

        return string.Concat(text.AsSpan(0, keep), marker);
    }

    private static string Repair(string text)
    {
        var clean = true;
        for (var i = 0; i < text.Length && clean; i++)
        {
            var c = text[i];
            if (c == '\0')
            {
                clean = false;
            }
            else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                clean = false;
            }
        }

        if (clean)
        {
            return text;
        }

        var repaired = new StringBuilder(text.Length + 8);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0')
            {
                repaired.Append("\\0");
            }
            else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                repaired.Append(c).Append(text[++i]);
            }
            else
            {
                repaired.Append(char.IsSurrogate(c) ? '\uFFFD' : c);
            }
        }

        return repaired.ToString();
    }

    private static string? Try(Func<string?> read)
    {
        try
        {
            return read();
        }
        catch (Exception)
        {
            return null;
        }
    }
}
