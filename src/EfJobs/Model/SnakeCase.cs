using System.Text;

namespace EfJobs.Model;

/// <summary>Converts .NET names to IHP's snake_case table names.</summary>
internal static class SnakeCase
{
    /// <summary>
    /// <c>SendMailJob</c> to <c>send_mail_job</c>; an acronym stays one word (<c>HTTPCallJob</c> to <c>http_call_job</c>).
    /// </summary>
    public static string From(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                var previousIsLowerOrDigit = i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]));
                var endsAcronym = i > 0 && char.IsUpper(name[i - 1]) && i + 1 < name.Length && char.IsLower(name[i + 1]);
                if (previousIsLowerOrDigit || endsAcronym)
                {
                    builder.Append('_');
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>The table IHP gives a job type: its snake_case name plus <c>s</c>.</summary>
    public static string TableNameFor(Type jobType) => From(jobType.Name) + "s";
}
