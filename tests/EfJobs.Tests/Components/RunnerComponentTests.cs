using EfJobs.Runner;
using Microsoft.Extensions.DependencyInjection;
using EfJobs.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace EfJobs.Tests.Components;

/// <summary>
/// The runner's components driven without PostgreSQL: a fake of the queue statements and a <see cref="FakeTimeProvider"/>,
/// so retries and timers are stepped, not waited for. The database's own behaviour is tested elsewhere, for real.
/// </summary>
public class RunnerComponentTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Result_writer_retries_a_success_the_database_cannot_take_and_keeps_the_job_owned_meanwhile()
    {
        var (store, owned, time, writer) = Writer(batch: false);
        var failures = 3;
        store.SucceedFailure = () => Interlocked.Decrement(ref failures) >= 0 ? new NpgsqlException("connection refused") : null;
        var job = Job();
        owned.Add(job);

        var write = writer.WriteAsync(job, new JobOutcome(JobOutcomeKind.Succeeded, TimeSpan.Zero));
        await StepUntilAsync(time, () => write.IsCompleted);

        await write;
        Assert.Equal(4, store.SucceedCalls);
        Assert.Contains(job.Id, store.Succeeded);
        Assert.False(owned.Contains(job.Id));
    }

    [Fact]
    public async Task Result_writer_stays_owned_while_the_database_is_away_and_gives_up_only_when_abandoned()
    {
        var (store, owned, time, writer) = Writer(batch: false);
        store.SucceedFailure = () => new NpgsqlException("connection refused");
        var job = Job();
        owned.Add(job);

        var write = writer.WriteAsync(job, new JobOutcome(JobOutcomeKind.Succeeded, TimeSpan.Zero));
        for (var i = 0; i < 50; i++)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            await Task.Yield();
        }

        Assert.False(write.IsCompleted);
        Assert.True(owned.Contains(job.Id), "a job whose result is not written stays owned (heartbeat, give-back)");

        writer.Abandon();
        await write.WaitAsync(Bound);
        Assert.True(owned.Contains(job.Id), "an abandoned write leaves the job owned, to be given back");
    }

    [Fact]
    public async Task Result_writer_records_the_attempt_with_a_shorter_text_when_PostgreSQL_rejects_the_error()
    {
        var (store, owned, _, writer) = Writer(batch: false);
        store.FailFailure = error => error.StartsWith("EfJobs could not write", StringComparison.Ordinal)
            ? null
            : new PostgresException("invalid byte sequence", "ERROR", "ERROR", "22021");
        var job = Job();
        owned.Add(job);

        await writer.WriteAsync(job, new JobOutcome(JobOutcomeKind.Failed, TimeSpan.Zero, "boom")).WaitAsync(Bound);

        Assert.StartsWith("EfJobs could not write this attempt's error text (SQLSTATE 22021)", store.Failed[job.Id].Error, StringComparison.Ordinal);
        Assert.False(owned.Contains(job.Id));
    }

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
    public async Task Wake_timer_fires_when_the_next_job_falls_due_and_not_before()
    {
        var time = new FakeTimeProvider();
        var woken = 0;
        using var timer = new WakeTimer(() => Interlocked.Increment(ref woken), time, TimeSpan.FromMinutes(1));

        timer.Set(TimeSpan.FromSeconds(10), 0);
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(0, woken);
        time.Advance(TimeSpan.FromSeconds(1.1));
        Assert.Equal(1, woken);

        // Beyond the poll interval the poll covers it; no timer is set.
        timer.Set(TimeSpan.FromMinutes(5), 0);
        time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(1, woken);
        await Task.CompletedTask;
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

    // Moves the fake clock a retry's worth at a time until the condition holds; the work runs on the thread pool.
    private static async Task StepUntilAsync(FakeTimeProvider time, Func<bool> done)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!done())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold while the fake clock advanced");
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(1);
        }
    }

    private sealed class ProbeHandler(JobProbe probe) : IJobHandler<TestJob>
    {
        public async Task PerformAsync(TestJob job, CancellationToken cancellationToken)
        {
            using var _ = probe.Enter(job);
            await Task.Yield();
        }
    }
}
