namespace EfJobs.Tests;

public class JobStatusLabelsTests
{
    [Theory]
    [InlineData(JobStatus.NotStarted, "job_status_not_started")]
    [InlineData(JobStatus.Running, "job_status_running")]
    [InlineData(JobStatus.Failed, "job_status_failed")]
    [InlineData(JobStatus.TimedOut, "job_status_timed_out")]
    [InlineData(JobStatus.Succeeded, "job_status_succeeded")]
    [InlineData(JobStatus.Retry, "job_status_retry")]
    public void Label_round_trips(JobStatus status, string label)
    {
        Assert.Equal(label, JobStatusLabels.ToLabel(status));
        Assert.Equal(status, JobStatusLabels.Parse(label));
        Assert.Equal(label, JobStatusLabels.NameTranslator.TranslateMemberName(status.ToString()));
    }

    [Theory]
    [InlineData("job_status_unknown")]
    [InlineData("NotStarted")]
    [InlineData("")]
    public void Unknown_label_fails_with_the_valid_ones_listed(string label)
    {
        Assert.False(JobStatusLabels.TryParse(label, out _));
        var error = Assert.Throws<FormatException>(() => JobStatusLabels.Parse(label));
        Assert.Contains($"'{label}' is not a job_status label", error.Message, StringComparison.Ordinal);
        Assert.Contains("job_status_retry", error.Message, StringComparison.Ordinal);
    }
}
