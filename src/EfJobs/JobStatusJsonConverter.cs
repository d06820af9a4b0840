using System.Text.Json;
using System.Text.Json.Serialization;

namespace EfJobs;

/// <summary>
/// Writes a <see cref="JobStatus"/> as its IHP label (<c>"job_status_succeeded"</c>), the text users see in the
/// database, IHP's dashboard and logs, instead of a number. <see cref="JobStatus"/> carries it as its
/// <see cref="JsonConverterAttribute"/>, so ASP.NET and <see cref="JsonSerializer"/> use it without setup.
/// </summary>
/// <remarks>
/// Reads the labels and, for clients that send them, the member names (<c>"Succeeded"</c>, any case). A number or an
/// unknown string is refused with a <see cref="JsonException"/> that lists the labels. A converter in
/// <see cref="JsonSerializerOptions.Converters"/> (such as <see cref="JsonStringEnumConverter"/>) takes precedence
/// over this one, as System.Text.Json ranks converters.
/// </remarks>
public sealed class JobStatusJsonConverter : JsonConverter<JobStatus>
{
    /// <inheritdoc />
    public override JobStatus Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        if (JobStatusLabels.TryParse(text, out var status)
            || (text is not null && Enum.TryParse(text, ignoreCase: true, out status) && Enum.IsDefined(status) && !char.IsAsciiDigit(text.TrimStart('-')[0])))
        {
            return status;
        }

        throw new JsonException($"Not a job status: expected one of {string.Join(", ", JobStatusLabels.All)}.");
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, JobStatus value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(JobStatusLabels.ToLabel(value));
    }
}
