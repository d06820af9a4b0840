using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using EfJobs.Diagnostics;
using EfJobs.Tests.Infrastructure;

namespace EfJobs.Tests;

public class TelemetryTests(TestDatabase database) : DatabaseTest(database)
{
    [Fact]
    public async Task Each_attempt_is_an_activity_and_a_duration_tagged_with_its_outcome()
    {
        var activities = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == EfJobsTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        var outcomes = new ConcurrentQueue<string>();
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == EfJobsTelemetry.Name && instrument.Name == "messaging.process.duration")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        meters.SetMeasurementEventCallback<double>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "efjobs.job.outcome")
                {
                    outcomes.Enqueue((string)tag.Value!);
                }
            }
        });
        meters.Start();

        await using var host = await RunnerHost.StartAsync(Database, o => o.MaxAttempts = 1);
        var ok = (await AddTestJobsAsync(1)).Single();
        var failing = (await AddTestJobsAsync(1, (j, _) => j.Payload = "fail")).Single();
        await Eventually.TrueAsync(
            () => ScalarAsync<bool>("SELECT count(*) = 2 FROM test_jobs WHERE status IN ('job_status_succeeded', 'job_status_failed')"),
            TimeSpan.FromSeconds(20), "both jobs to finish");

        // An attempt's activity stops after its result is written, so the rows can be final a moment before it does.
        await Eventually.TrueAsync(
            () => Task.FromResult(activities.Count(a => a.OperationName == "process test_jobs") >= 2),
            TimeSpan.FromSeconds(20), "both activities to stop");

        var performed = activities.Where(a => a.OperationName == "process test_jobs").ToList();
        Assert.Equal("succeeded", performed.Single(a => (string)a.GetTagItem("messaging.message.id")! == ok.Id.ToString()).GetTagItem("efjobs.job.outcome"));
        var failed = performed.Single(a => (string)a.GetTagItem("messaging.message.id")! == failing.Id.ToString());
        Assert.Equal(("failed", ActivityStatusCode.Error), (failed.GetTagItem("efjobs.job.outcome"), failed.Status));
        Assert.Contains("succeeded", outcomes);
        Assert.Contains("failed", outcomes);
    }
}
