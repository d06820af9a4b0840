using System.Text;

namespace EfJobs.Model;

/// <summary>Quoting and PostgreSQL's 63-byte limit for identifiers that EfJobs puts into SQL.</summary>
internal static class PgIdentifier
{
    /// <summary>PostgreSQL's NAMEDATALEN - 1: longer identifiers are cut to this many bytes.</summary>
    public const int MaxBytes = 63;

    /// <summary>Quotes an identifier so that no name can change the statement it goes into.</summary>
    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>Quotes <paramref name="name"/>, qualified by <paramref name="schema"/> when there is one.</summary>
    public static string Qualify(string? schema, string name) =>
        schema is null ? Quote(name) : Quote(schema) + "." + Quote(name);

    /// <summary>Quotes a SQL string literal.</summary>
    public static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>
    /// Cuts a name to 63 bytes of UTF-8 on a character boundary, as PostgreSQL does, so that names computed here
    /// match the ones the server stores (trigger, function and channel names built from long table names).
    /// </summary>
    public static string Truncate(string identifier)
    {
        if (Encoding.UTF8.GetByteCount(identifier) <= MaxBytes)
        {
            return identifier;
        }

        var bytes = 0;
        var length = 0;
        foreach (var rune in identifier.EnumerateRunes())
        {
            if (bytes + rune.Utf8SequenceLength > MaxBytes)
            {
                break;
            }

            bytes += rune.Utf8SequenceLength;
            length += rune.Utf16SequenceLength;
        }

        return identifier[..length];
    }
}
