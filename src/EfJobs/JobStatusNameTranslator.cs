using Npgsql;

namespace EfJobs;

/// <summary>Maps <see cref="JobStatus"/> members to IHP's <c>job_status_*</c> labels for Npgsql and EF.</summary>
internal sealed class JobStatusNameTranslator : INpgsqlNameTranslator
{
    public static JobStatusNameTranslator Instance { get; } = new();

    public string TranslateTypeName(string clrName) => JobStatusLabels.EnumName;

    public string TranslateMemberName(string clrName) =>
        JobStatusLabels.ToLabel(Enum.Parse<JobStatus>(clrName));
}
