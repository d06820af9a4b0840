using EfJobs.Runner;
using Microsoft.Extensions.DependencyInjection;
using EfJobs.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EfJobs.Tests.Components;

/// <summary>
/// The producer and the batched result writer driven without PostgreSQL: a fake of the queue statements and a <see cref="FakeTimeProvider"/>,
/// so retries and timers are stepped, not waited for. The database's own behaviour is tested elsewhere, for real.
/// </summary>
public class ProducerAndBatchTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Batched_successes_are_written_together_and_flushed_at_stop()
    {
        var (store, owned, _, writer) = Writer(batch: true);
        writer.Start();
        var jobs = Enumerable.Range(0, 50).Select(_ => Job()).ToList();
        jobs.ForEach(owned.Add);

        await Task.WhenAll(jobs.Select(j => writer.WriteAsync(j, new JobOutcome(JobOutcomeKind.Succeeded, TimeSpan.Zero))));
        await writer.FlushAsync().WaitAsync(Bound);

        Assert.Equal(50, store.Succeeded.Count);
        Assert.InRange(store.SucceedCalls, 1, 50);
        Assert.Equal(0, owned.Count);
    }

    [Fact]
    public async Task Producer_runs_every_job_once_within_the_concurrency_limit_and_signals_itself_as_slots_free()
    {
        var store = new FakeJobStore();
        for (var i = 0; i < 200; i++)
        {
            store.Due.Enqueue(Job());
        }

        var options = new JobOptions { MaxConcurrency = 4, PrefetchCount = 8, MaxFetchBatchSize = 5 };
        var runner = Context(TimeProvider.System);
        var owned = new OwnedJobs<TestJob>();
        var probe = new JobProbe();
        var services = new ServiceCollection()
            .AddSingleton(probe)
            .AddScoped<IJobHandler<TestJob>, ProbeHandler>()
            .BuildServiceProvider();
        var executor = new JobExecutor<TestJob>(services, runner, store.Table, options);
        var writer = new JobResultWriter<TestJob>(store, owned, runner, options, 16);
        using var timer = new WakeTimer(() => { }, TimeProvider.System, options.PollInterval);
        var producer = new JobProducer<TestJob>(store, owned, executor, writer, timer, new LivenessState(required: false), runner, options);
        writer.Start();
        producer.Start();

        await Eventually.TrueAsync(() => Task.FromResult(store.Succeeded.Count == 200), Bound, "every job to succeed");
        await producer.StopAsync();

        Assert.Equal(200, probe.TotalExecutions);
        Assert.All(probe.ExecutionsById.Values, count => Assert.Equal(1, count));
        Assert.InRange(probe.MaxConcurrent, 1, 4);
        Assert.Equal(0, owned.Count);
    }

    private static (FakeJobStore Store, OwnedJobs<TestJob> Owned, FakeTimeProvider Time, JobResultWriter<TestJob> Writer) Writer(bool batch)
    {
        var store = new FakeJobStore();
        var owned = new OwnedJobs<TestJob>();
        var time = new FakeTimeProvider();
        var writer = new JobResultWriter<TestJob>(store, owned, Context(time), new JobOptions { BatchCompletions = batch }, 100);
        return (store, owned, time, writer);
    }

    private static JobRunnerContext Context(TimeProvider time) => new(new EfJobsOptions(), time, NullLogger.Instance);

    private static TestJob Job() => new() { Id = Guid.NewGuid(), Payload = "ok" };

    private sealed class ProbeHandler(JobProbe probe) : IJobHandler<TestJob>
    {
        public async Task PerformAsync(TestJob job, CancellationToken cancellationToken)
        {
            using var _ = probe.Enter(job);
            await Task.Yield();
        }
    }
}
