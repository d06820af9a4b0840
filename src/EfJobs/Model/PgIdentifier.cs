using System.Security.Cryptography;
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

    /// <summary>The schema EfJobs treats as the default: a table there (or with no schema) keeps IHP's exact names.</summary>
    public const string DefaultSchema = "public";

    /// <summary>
    /// The one function that names every object EfJobs derives from a job table (indexes, triggers, the trigger
    /// function, the LISTEN/NOTIFY channel), so the model, the migrations, the runner and the trigger health check agree.
    /// </summary>
    /// <remarks>
    /// A table in <c>public</c> (or with no schema) gets IHP's name, <c>&lt;prefix&gt;&lt;table&gt;</c>, so an IHP
    /// table keeps working unchanged; a table in another schema gets <c>&lt;prefix&gt;&lt;schema&gt;.&lt;table&gt;</c>,
    /// because a channel is database-wide and <c>billing.invoice_jobs</c> and <c>crm.invoice_jobs</c> need two. When
    /// that name is longer than 63 bytes, or could be read two ways (a dot in the schema, or in a public table's name),
    /// it is cut on a character boundary and <c>_</c> plus 8 hex digits of a SHA-256 of prefix, schema and table are
    /// appended: PostgreSQL would cut it silently, and two long names sharing their first 63 bytes would collide.
    /// </remarks>
    /// <param name="prefix">IHP's prefix, such as <c>job_available_</c>.</param>
    /// <param name="schema">The table's schema, or null for the default one.</param>
    /// <param name="table">The table's name, unquoted.</param>
    public static string Derive(string prefix, string? schema, string table)
    {
        var inDefaultSchema = schema is null || schema == DefaultSchema;
        var name = inDefaultSchema ? prefix + table : prefix + schema + "." + table;
        var ambiguous = inDefaultSchema ? table.Contains('.', StringComparison.Ordinal) : schema!.Contains('.', StringComparison.Ordinal);
        if (!ambiguous && Encoding.UTF8.GetByteCount(name) <= MaxBytes)
        {
            return name;
        }

        var identity = Encoding.UTF8.GetBytes(prefix + "\0" + (schema ?? DefaultSchema) + "\0" + table);
        var hash = Convert.ToHexStringLower(SHA256.HashData(identity), 0, 4);
        return Truncate(name, MaxBytes - 1 - hash.Length) + "_" + hash;
    }

    // Cuts a name to maxBytes of UTF-8 on a character boundary, so the server never has to cut it.
    private static string Truncate(string identifier, int maxBytes)
    {
        if (Encoding.UTF8.GetByteCount(identifier) <= maxBytes)
        {
            return identifier;
        }

        var bytes = 0;
        var length = 0;
        foreach (var rune in identifier.EnumerateRunes())
        {
            if (bytes + rune.Utf8SequenceLength > maxBytes)
            {
                break;
            }

            bytes += rune.Utf8SequenceLength;
            length += rune.Utf16SequenceLength;
        }

        return identifier[..length];
    }
}
