using EfJobs.Queue;
using EfJobs.Runner;
using EfJobs.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace EfJobs.Tests;

/// <summary>
/// Retention against PostgreSQL: the pruner deletes exactly the finished rows its rules name, in batches, and nothing
/// newer, nothing unfinished, nothing of a state kept forever.
/// </summary>
public class RetentionTests(TestDatabase database) : DatabaseTest(database)
{
    private static readonly DateTimeOffset Now = new(2026, 6, 10, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_pruner_deletes_exactly_the_finished_rows_past_their_state_s_keep_period_per_type_in_batches()
    {
        var doomed = new List<Guid>();
        var kept = new List<Guid>();
        // Succeeded: kept 1 day. Seven rows past it (more than one batch of 3), one just inside, one exactly at the cutoff.
        for (var i = 0; i < 7; i++)
        {
            doomed.Add(await TestRowAsync(JobStatus.Succeeded, TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1 + i)));
        }

        kept.Add(await TestRowAsync(JobStatus.Succeeded, TimeSpan.FromDays(1) - TimeSpan.FromSeconds(1)));
        kept.Add(await TestRowAsync(JobStatus.Succeeded, TimeSpan.FromDays(1)));

        // Failed: kept 7 days.
        doomed.Add(await TestRowAsync(JobStatus.Failed, TimeSpan.FromDays(8)));
        kept.Add(await TestRowAsync(JobStatus.Failed, TimeSpan.FromDays(6)));

        // Timed out: kept forever (null), however old.
        kept.Add(await TestRowAsync(JobStatus.TimedOut, TimeSpan.FromDays(4000)));

        // Unfinished rows are never pruned, however old.
        kept.Add(await TestRowAsync(JobStatus.NotStarted, TimeSpan.FromDays(4000)));
        kept.Add(await TestRowAsync(JobStatus.Retry, TimeSpan.FromDays(4000)));
        kept.Add(await TestRowAsync(JobStatus.Running, TimeSpan.FromDays(4000)));

        // Another type with its own rules: succeeded rows are kept 1 hour, so a 2-hour-old one goes (a test_jobs row
        // of that age stays, above), and failed rows are kept forever.
        var otherDoomed = await OtherRowAsync(JobStatus.Succeeded, TimeSpan.FromHours(2));
        var otherKept = new[] { await OtherRowAsync(JobStatus.Succeeded, TimeSpan.FromMinutes(59)), await OtherRowAsync(JobStatus.Failed, TimeSpan.FromDays(4000)) };
        kept.Add(await TestRowAsync(JobStatus.Succeeded, TimeSpan.FromHours(2)));

        var pruner = Pruner(
            batchSize: 3,
            (typeof(TestJob), new JobOptions { SucceededRetention = TimeSpan.FromDays(1), FailedRetention = TimeSpan.FromDays(7), TimedOutRetention = null }),
            (typeof(OtherJob), new JobOptions { SucceededRetention = TimeSpan.FromHours(1), FailedRetention = null, TimedOutRetention = null }));

        Assert.Equal(doomed.Count + 1, await pruner.PruneAsync(CancellationToken.None));
        await using var db = CreateContext();
        Assert.Equal(kept.Order(), (await db.TestJobs.Select(j => j.Id).ToListAsync()).Order());
        Assert.Equal(otherKept.Order(), (await db.OtherJobs.Select(j => j.Id).ToListAsync()).Order());
        Assert.DoesNotContain(otherDoomed, await db.OtherJobs.Select(j => j.Id).ToListAsync());
        Assert.Equal(0, await pruner.PruneAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Pruners_of_several_processes_at_once_delete_each_row_once_and_together_all_of_them()
    {
        await using (var db = CreateContext())
        {
            db.AddRange(Enumerable.Range(0, 500).Select(_ => new TestJob { Status = JobStatus.Succeeded }));
            await db.SaveChangesAsync();
        }

        await ExecuteAsync($"UPDATE test_jobs SET updated_at = '{Now.AddDays(-2):o}'");
        var options = new JobOptions { SucceededRetention = TimeSpan.FromDays(1) };
        var pruners = Enumerable.Range(0, 3).Select(_ => Pruner(batchSize: 20, (typeof(TestJob), options))).ToList();

        var deleted = await Task.WhenAll(pruners.Select(p => p.PruneAsync(CancellationToken.None)));
        deleted = [.. deleted, .. await Task.WhenAll(pruners.Select(p => p.PruneAsync(CancellationToken.None)))];

        Assert.Equal(500, deleted.Sum());
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM test_jobs"));
    }

    [Fact]
    public void The_defaults_keep_succeeded_jobs_a_day_and_failed_and_timed_out_ones_a_week_so_a_default_install_is_bounded()
    {
        var options = new JobOptions();
        Assert.Equal(TimeSpan.FromDays(1), options.SucceededRetention);
        Assert.Equal(TimeSpan.FromDays(7), options.FailedRetention);
        Assert.Equal(TimeSpan.FromDays(7), options.TimedOutRetention);
        Assert.Null(options.Validate());
        Assert.Contains("FailedRetention", new JobOptions { FailedRetention = TimeSpan.Zero }.Validate(), StringComparison.Ordinal);
        Assert.Contains("PruneBatchSize", new EfJobsOptions { PruneBatchSize = 0 }.Validate(), StringComparison.Ordinal);
        Assert.Contains("PruneInterval", new EfJobsOptions { PruneInterval = TimeSpan.Zero }.Validate(), StringComparison.Ordinal);
    }

    private JobPruner Pruner(int batchSize, params (Type JobType, JobOptions Options)[] types)
    {
        var services = new ServiceCollection();
        services.AddDbContext<TestDbContext>(o => o.UseNpgsql(Database.ConnectionString, npgsql => npgsql.UseEfJobs()));
        var jobDatabase = new JobDatabase<TestDbContext>(services.BuildServiceProvider());
        var tables = jobDatabase.WithContext(db => types.Select(t => (JobTables.Get(db, t.JobType), t.Options)).ToList());
        var context = new JobRunnerContext(new EfJobsOptions { PruneBatchSize = batchSize }, new FakeTimeProvider(Now), new LoggerFactory().CreateLogger("EfJobs"));
        return new JobPruner(jobDatabase, tables, context);
    }

    private async Task<Guid> TestRowAsync(JobStatus status, TimeSpan age)
    {
        await using var db = CreateContext();
        var job = new TestJob { Status = status };
        db.Add(job);
        await db.SaveChangesAsync();
        await ExecuteAsync($"UPDATE test_jobs SET updated_at = '{Now - age:o}' WHERE id = '{job.Id}'");
        return job.Id;
    }

    private async Task<Guid> OtherRowAsync(JobStatus status, TimeSpan age)
    {
        await using var db = CreateContext();
        var job = new OtherJob { Status = status };
        db.Add(job);
        await db.SaveChangesAsync();
        await ExecuteAsync($"UPDATE other_jobs SET updated_at = '{Now - age:o}' WHERE id = '{job.Id}'");
        return job.Id;
    }
}
