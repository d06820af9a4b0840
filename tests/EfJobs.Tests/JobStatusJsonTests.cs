using System.Text.Json;
using EfJobs.Tests.Infrastructure;

namespace EfJobs.Tests;

/// <summary>JobStatus in JSON is IHP's label, not a number (issue 12, input 8).</summary>
public class JobStatusJsonTests
{
    [Fact]
    public void A_status_is_written_as_its_IHP_label_with_ASP_NET_defaults()
    {
        var job = new TestJob { Status = JobStatus.Succeeded, Payload = "x" };
        var json = JsonSerializer.Serialize(job, JsonSerializerOptions.Web);
        Assert.Contains("\"status\":\"job_status_succeeded\"", json, StringComparison.Ordinal);
        Assert.Equal("\"job_status_timed_out\"", JsonSerializer.Serialize(JobStatus.TimedOut));
    }

    [Theory]
    [InlineData("\"job_status_retry\"", JobStatus.Retry)]
    [InlineData("\"Retry\"", JobStatus.Retry)]
    [InlineData("\"notStarted\"", JobStatus.NotStarted)]
    public void Labels_and_member_names_read_back(string json, JobStatus expected) =>
        Assert.Equal(expected, JsonSerializer.Deserialize<JobStatus>(json));

    [Theory]
    [InlineData("4")]
    [InlineData("\"4\"")]
    [InlineData("\"done\"")]
    public void Numbers_and_unknown_text_are_refused_with_the_labels(string json)
    {
        var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<JobStatus>(json));
        Assert.Contains("job_status_succeeded", error.Message, StringComparison.Ordinal);
    }
}
