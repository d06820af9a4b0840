using EfJobs.Diagnostics;
using EfJobs.Tests.Infrastructure;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace EfJobs.Tests;

/// <summary>
/// EfJobs' metrics through OpenTelemetry's in-memory exporter (issue 16): attempt durations with their bucket
/// advice and outcome, attempts by outcome, fetched jobs and pickup delay per table, and the queue gauges fed by the
/// shared sample.
/// </summary>
public sealed class MetricsTests : DatabaseTest, IDisposable
{
    private readonly LockedList<Metric> _metrics = new();
    private readonly MeterProvider _meters;

    public MetricsTests(TestDatabase database)
        : base(database)
    {
        _meters = Sdk.CreateMeterProviderBuilder().AddEfJobsInstrumentation().AddInMemoryExporter(_metrics).Build();
    }

    public void Dispose() => _meters.Dispose();

    [Fact]
    public async Task Attempts_are_measured_by_table_and_outcome_with_buckets_that_resolve_sub_second_jobs()
    {
        await using var worker = await RunnerHost.StartAsync(Database, o => o.MaxAttempts = 2);
        await AddTestJobsAsync(3);
        await AddTestJobsAsync(1, (j, _) => j.Payload = "fail-once");
        await Eventually.TrueAsync(
            () => ScalarAsync<bool>("SELECT count(*) = 4 FROM test_jobs WHERE status = 'job_status_succeeded'"),
            TimeSpan.FromSeconds(20), "every job to succeed");

        await Eventually.TrueAsync(
            () => Task.FromResult(Collect().Points("efjobs.job.attempts").Sum(p => p.GetSumLong()) == 5),
            TimeSpan.FromSeconds(20), "five attempts to be counted");
        var collected = Collect();

        var durations = collected.Points("messaging.process.duration");
        Assert.Equal(5, durations.Sum(p => p.GetHistogramCount()));
        var succeeded = durations.Single(p => p.Tag("efjobs.job.outcome") == "succeeded");
        Assert.Equal(4, succeeded.GetHistogramCount());
        Assert.Equal("efjobs", succeeded.Tag("messaging.system"));
        Assert.Equal("test_jobs", succeeded.Tag("messaging.destination.name"));
        Assert.Equal("process", succeeded.Tag("messaging.operation.name"));
        var failed = durations.Single(p => p.Tag("efjobs.job.outcome") == "failed");
        Assert.Equal("System.InvalidOperationException", failed.Tag("error.type"));

        // The bucket advice reaches the SDK: several boundaries below one second, so a 30 ms job is not in "0-5 s".
        var bounds = new List<double>();
        foreach (var bucket in succeeded.GetHistogramBuckets())
        {
            bounds.Add(bucket.ExplicitBound);
        }

        Assert.Equal([.. EfJobsTelemetry.DurationBuckets, double.PositiveInfinity], bounds);
        Assert.True(EfJobsTelemetry.DurationBuckets.Count(b => b < 1) >= 8);

        var attempts = collected.Points("efjobs.job.attempts");
        Assert.Equal(4, attempts.Single(p => p.Tag("efjobs.job.outcome") == "succeeded").GetSumLong());
        Assert.Equal(1, attempts.Single(p => p.Tag("efjobs.job.outcome") == "failed").GetSumLong());
        Assert.Equal(5, collected.Points("messaging.client.consumed.messages").Where(p => p.Tag("messaging.destination.name") == "test_jobs").Sum(p => p.GetSumLong()));
        var pickup = collected.Points("efjobs.job.pickup_delay").Single(p => p.Tag("messaging.destination.name") == "test_jobs");
        Assert.Equal(5, pickup.GetHistogramCount());
        Assert.Equal(collected.Meter("messaging.process.duration").MeterVersion, EfJobsTelemetry.Version);
    }

    [Fact]
    public async Task The_queue_gauges_report_depth_oldest_due_age_and_stale_jobs_per_table()
    {
        using var host = RunnerHost.Build(Database, o => o.StaleJobTimeout = TimeSpan.FromMinutes(10), o =>
        {
            o.RunInHost = false;
            o.QueueSampleInterval = TimeSpan.FromMilliseconds(50);
        });
        await host.StartAsync();
        var jobs = await AddTestJobsAsync(4);
        await ExecuteAsync($"UPDATE test_jobs SET created_at = now() - interval '3 minutes', run_at = now() - interval '3 minutes' WHERE id = '{jobs[0].Id}'");
        await ExecuteAsync($"UPDATE test_jobs SET run_at = now() + interval '1 hour' WHERE id = '{jobs[1].Id}'");
        await ExecuteAsync($"UPDATE test_jobs SET status = 'job_status_running', locked_by = '{WorkerB}', locked_at = now() - interval '11 minutes' WHERE id = '{jobs[2].Id}'");

        // Two due jobs (one scheduled for later, one running), the oldest due for 3 minutes, one stale running row.
        await Eventually.TrueAsync(
            () => Task.FromResult(Collect().Points("efjobs.queue.depth").Any(p => p.Tag("messaging.destination.name") == "test_jobs" && p.GetGaugeLastValueLong() == 2)),
            TimeSpan.FromSeconds(20), "the depth gauge to report two due jobs");
        var collected = Collect();
        var age = collected.Points("efjobs.queue.oldest_due_age").Single(p => p.Tag("messaging.destination.name") == "test_jobs").GetGaugeLastValueDouble();
        Assert.InRange(age, 170, 3600);
        Assert.Equal(1, collected.Points("efjobs.queue.stale_jobs").Single(p => p.Tag("messaging.destination.name") == "test_jobs").GetGaugeLastValueLong());
        await host.StopAsync();
    }

    private Collected Collect()
    {
        _metrics.Clear();
        _meters.ForceFlush();
        return new Collected(_metrics.Snapshot());
    }

    private sealed record Collected(Metric[] Metrics)
    {
        public Metric Meter(string name) => Metrics.First(m => m.Name == name);

        public List<MetricPoint> Points(string name)
        {
            var points = new List<MetricPoint>();
            foreach (var metric in Metrics.Where(m => m.Name == name))
            {
                foreach (ref readonly var point in metric.GetMetricPoints())
                {
                    points.Add(point);
                }
            }

            return points;
        }
    }
}

internal static class MetricPointExtensions
{
    public static string? Tag(this MetricPoint point, string key)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == key)
            {
                return tag.Value?.ToString();
            }
        }

        return null;
    }
}
