using System.Collections.Concurrent;
using EfJobs.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace EfJobs.Tests;

public class QueueOperationsTests(TestDatabase database) : DatabaseTest(database)
{
    private static readonly BackoffStrategy ThirtySeconds = BackoffStrategy.Linear(TimeSpan.FromSeconds(30));

    [Fact]
    public async Task Fetch_locks_the_job_for_the_worker_and_counts_the_attempt()
    {
        var job = (await AddTestJobsAsync(1)).Single();
        await using var db = CreateContext();

        var fetched = await db.FetchNextJobAsync<TestJob>(WorkerA);

        Assert.NotNull(fetched);
        Assert.Equal(job.Id, fetched.Id);
        Assert.Equal("job 0", fetched.Payload);
        Assert.Equal(JobStatus.Running, fetched.Status);
        Assert.Equal(WorkerA, fetched.LockedBy);
        Assert.Equal(1, fetched.AttemptsCount);
        Assert.NotNull(fetched.LockedAt);
        Assert.Empty(db.ChangeTracker.Entries());
        Assert.Null(await db.FetchNextJobAsync<TestJob>(WorkerB));
    }

    // Issue 17: a job type that is exactly its table's columns is read from the locking statement itself, one round
    // trip per batch (IHP mode: per job); the issue 12 fetch spent a second statement per batch on every job type.
    [Fact]
    public async Task A_flat_job_type_is_fetched_in_one_statement()
    {
        await AddTestJobsAsync(3, (job, i) => job.RunAt = DateTime.UtcNow.AddSeconds(-10 + i));
        var commands = new CommandCounter();
        await using var db = new TestDbContext(new DbContextOptionsBuilder<TestDbContext>(TestDatabase.Options(Database.ConnectionString)).AddInterceptors(commands).Options);
        await db.Database.OpenConnectionAsync();

        var fetched = await db.FetchJobsAsync<TestJob>(WorkerA, 10);

        Assert.Equal(["job 0", "job 1", "job 2"], fetched.Select(j => j.Payload));
        Assert.All(fetched, j => Assert.Equal((JobStatus.Running, WorkerA, 1), (j.Status, j.LockedBy, j.AttemptsCount)));
        Assert.Equal(1, commands.Count);
    }

    private sealed class CommandCounter : Microsoft.EntityFrameworkCore.Diagnostics.DbCommandInterceptor
    {
        public int Count;

        public override ValueTask<Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<System.Data.Common.DbDataReader>> ReaderExecutingAsync(
            System.Data.Common.DbCommand command,
            Microsoft.EntityFrameworkCore.Diagnostics.CommandEventData eventData,
            Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<System.Data.Common.DbDataReader> result,
            CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Count);
            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }
    }

    [Fact]
    public async Task Fetch_takes_up_to_the_limit_in_due_order_and_skips_future_jobs()
    {
        await AddTestJobsAsync(5, (job, i) => job.RunAt = DateTime.UtcNow.AddSeconds(-10 + i));
        await AddTestJobsAsync(1, (job, _) => { job.Payload = "future"; job.RunAt = DateTime.UtcNow.AddHours(1); });
        await using var db = CreateContext();

        var first = await db.FetchJobsAsync<TestJob>(WorkerA, 3);
        var rest = await db.FetchJobsAsync<TestJob>(WorkerA, 10);

        Assert.Equal(["job 0", "job 1", "job 2"], first.Select(j => j.Payload).Order());
        Assert.Equal(["job 3", "job 4"], rest.Select(j => j.Payload).Order());
        Assert.InRange((await db.TimeUntilNextScheduledJobAsync<TestJob>())!.Value, TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(60));
    }

    [Fact]
    public async Task Job_types_do_not_see_each_others_rows()
    {
        await AddTestJobsAsync(2);
        await using var db = CreateContext();
        Assert.Empty(await db.FetchJobsAsync<OtherJob>(WorkerA, 10));
        Assert.Equal(2, (await db.FetchJobsAsync<TestJob>(WorkerA, 10)).Count);
    }

    [Fact]
    public async Task Eight_concurrent_fetchers_never_share_a_job_and_leave_none_behind()
    {
        const int jobs = 10_000;
        await using (var db = CreateContext())
        {
            db.AddRange(Enumerable.Range(0, jobs).Select(i => new TestJob { Payload = i.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
            await db.SaveChangesAsync();
        }

        var seen = new ConcurrentDictionary<Guid, Guid>();
        var duplicates = 0;
        var workers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var workerId = Guid.NewGuid();
            await using var db = CreateContext();
            while (true)
            {
                var batch = await db.FetchJobsAsync<TestJob>(workerId, 1 + (w * 7 % 25));
                if (batch.Count == 0)
                {
                    return;
                }

                foreach (var job in batch)
                {
                    if (!seen.TryAdd(job.Id, workerId))
                    {
                        Interlocked.Increment(ref duplicates);
                    }
                }

                Assert.Equal(batch.Count, await db.JobsDidSucceedAsync(batch, workerId));
            }
        })).ToList();
        await Task.WhenAll(workers);

        Assert.Equal(0, duplicates);
        Assert.Equal(jobs, seen.Count);
        Assert.Equal(jobs, await ScalarAsync<long>("SELECT count(*) FROM test_jobs WHERE status = 'job_status_succeeded' AND locked_by IS NULL AND locked_at IS NULL"));
    }

    [Fact]
    public async Task Skip_locked_does_not_wait_for_a_row_another_transaction_holds()
    {
        var jobs = await AddTestJobsAsync(2, (job, i) => job.RunAt = DateTime.UtcNow.AddSeconds(-10 + i));
        await using var holder = await Database.OpenConnectionAsync();
        await using var transaction = await holder.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand($"SELECT 1 FROM test_jobs WHERE id = '{jobs[0].Id}' FOR UPDATE", holder, transaction))
        {
            await lockRow.ExecuteScalarAsync();
        }

        // A fetch that waited for the lock would hit this timeout and throw.
        var options = new DbContextOptionsBuilder<TestDbContext>()
            .UseNpgsql(new NpgsqlConnectionStringBuilder(Database.ConnectionString) { Options = "-c lock_timeout=2000" }.ConnectionString, o => o.UseEfJobs())
            .Options;
        await using var db = new TestDbContext(options);
        var fetched = await db.FetchJobsAsync<TestJob>(WorkerA, 10);

        Assert.Equal(jobs[1].Id, Assert.Single(fetched).Id);
        await transaction.RollbackAsync();
        Assert.Equal(jobs[0].Id, Assert.Single(await db.FetchJobsAsync<TestJob>(WorkerA, 10)).Id);
    }

    [Fact]
    public async Task Success_is_recorded_only_by_the_worker_that_owns_the_job()
    {
        await AddTestJobsAsync(1);
        await using var db = CreateContext();
        var job = (await db.FetchNextJobAsync<TestJob>(WorkerA))!;

        Assert.False(await db.JobDidSucceedAsync(job, WorkerB));
        Assert.Equal(JobStatus.Running, await StatusOf(job.Id));

        Assert.True(await db.JobDidSucceedAsync(job, WorkerA));
        var row = await db.TestJobs.AsNoTracking().SingleAsync();
        Assert.Equal(JobStatus.Succeeded, row.Status);
        Assert.Null(row.LockedBy);
        Assert.Null(row.LockedAt);
        Assert.False(await db.JobDidSucceedAsync(job, WorkerA));
    }

    [Fact]
    public async Task Late_first_worker_cannot_overwrite_a_job_rescued_and_run_elsewhere()
    {
        await AddTestJobsAsync(1);
        await using var db = CreateContext();
        var first = (await db.FetchNextJobAsync<TestJob>(WorkerA))!;
        await ExecuteAsync("UPDATE test_jobs SET locked_at = now() - interval '11 minutes'");
        Assert.Equal(1, await db.RecoverStaleJobsAsync<TestJob>(TimeSpan.FromMinutes(10), maxAttempts: 10));
        var second = (await db.FetchNextJobAsync<TestJob>(WorkerB))!;
        Assert.Equal(first.Id, second.Id);

        Assert.False(await db.JobDidFailAsync(first, WorkerA, new InvalidOperationException("late"), 10, ThirtySeconds));
        Assert.False(await db.JobDidTimeoutAsync(first, WorkerA, 10, ThirtySeconds));
        Assert.False(await db.JobDidSucceedAsync(first, WorkerA));
        Assert.Equal(0, await db.JobsDidSucceedAsync([first], WorkerA));

        var row = await db.TestJobs.AsNoTracking().SingleAsync();
        Assert.Equal((JobStatus.Running, WorkerB, 2), (row.Status, row.LockedBy!.Value, row.AttemptsCount));
    }

    [Fact]
    public async Task Late_result_of_an_earlier_attempt_by_the_same_worker_is_refused()
    {
        await AddTestJobsAsync(1);
        await using var db = CreateContext();
        var firstAttempt = (await db.FetchNextJobAsync<TestJob>(WorkerA))!;
        Assert.True(await db.JobDidTimeoutAsync(firstAttempt, WorkerA, 10, ThirtySeconds));
        await ExecuteAsync("UPDATE test_jobs SET run_at = now()");
        var secondAttempt = (await db.FetchNextJobAsync<TestJob>(WorkerA))!;

        Assert.False(await db.JobDidSucceedAsync(firstAttempt, WorkerA));
        Assert.Equal(0, await db.JobsDidSucceedAsync([firstAttempt], WorkerA));
        Assert.Equal(JobStatus.Running, await StatusOf(firstAttempt.Id));
        Assert.Equal(1, await db.JobsDidSucceedAsync([secondAttempt], WorkerA));
        Assert.Equal(JobStatus.Succeeded, await StatusOf(firstAttempt.Id));
    }

    [Fact]
    public async Task Failure_schedules_a_retry_after_the_backoff_with_the_exception_in_last_error()
    {
        await AddTestJobsAsync(1);
        await using var db = CreateContext();
        var job = (await db.FetchNextJobAsync<TestJob>(WorkerA))!;
        var exception = Throw(() => throw new InvalidOperationException("the mail server said no"));

        var now = await ScalarAsync<DateTime>("SELECT now()");
        Assert.True(await db.JobDidFailAsync(job, WorkerA, exception, maxAttempts: 3, ThirtySeconds));

        var row = await db.TestJobs.AsNoTracking().SingleAsync();
        Assert.Equal(JobStatus.Retry, row.Status);
        Assert.Null(row.LockedBy);
        Assert.Null(row.LockedAt);
        Assert.InRange(row.RunAt, now.AddSeconds(29), now.AddSeconds(32));
        Assert.StartsWith("System.InvalidOperationException: the mail server said no", row.LastError, StringComparison.Ordinal);
        Assert.Contains(nameof(Failure_schedules_a_retry_after_the_backoff_with_the_exception_in_last_error), row.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failure_of_the_last_allowed_attempt_marks_the_job_failed()
    {
        await AddTestJobsAsync(1);
        await using var db = CreateContext();
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await ExecuteAsync("UPDATE test_jobs SET run_at = now() WHERE status = 'job_status_retry'");
            var job = (await db.FetchNextJobAsync<TestJob>(WorkerA))!;
            Assert.Equal(attempt, job.AttemptsCount);
            Assert.True(await db.JobDidFailAsync(job, WorkerA, new InvalidOperationException("attempt " + attempt), maxAttempts: 3, ThirtySeconds));
            Assert.Equal(attempt < 3 ? JobStatus.Retry : JobStatus.Failed, await StatusOf(job.Id));
        }

        Assert.Null(await db.FetchNextJobAsync<TestJob>(WorkerA));
    }

    [Fact]
    public async Task Timeout_retries_then_ends_timed_out()
    {
        await AddTestJobsAsync(1);
        await using var db = CreateContext();
        var job = (await db.FetchNextJobAsync<TestJob>(WorkerA))!;
        Assert.True(await db.JobDidTimeoutAsync(job, WorkerA, maxAttempts: 2, ThirtySeconds));
        Assert.Equal(JobStatus.Retry, await StatusOf(job.Id));

        await ExecuteAsync("UPDATE test_jobs SET run_at = now()");
        job = (await db.FetchNextJobAsync<TestJob>(WorkerA))!;
        Assert.True(await db.JobDidTimeoutAsync(job, WorkerA, maxAttempts: 2, ThirtySeconds));
        var row = await db.TestJobs.AsNoTracking().SingleAsync();
        Assert.Equal((JobStatus.TimedOut, "Timeout reached"), (row.Status, row.LastError));
    }

    [Fact]
    public async Task Last_error_is_bounded()
    {
        await AddTestJobsAsync(1);
        await using var db = CreateContext();
        var job = (await db.FetchNextJobAsync<TestJob>(WorkerA))!;
        Assert.True(await db.JobDidFailAsync(job, WorkerA, new InvalidOperationException(new string('x', 100_000)), 1, ThirtySeconds));
        var lastError = (await db.TestJobs.AsNoTracking().SingleAsync()).LastError!;
        Assert.Equal(16 * 1024, lastError.Length);
        Assert.EndsWith("characters cut)", lastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stale_recovery_retries_recent_jobs_fails_ancient_and_exhausted_ones_and_leaves_fresh_ones()
    {
        var jobs = await AddTestJobsAsync(4);
        await ExecuteAsync($"""
            UPDATE test_jobs SET status = 'job_status_running', locked_by = '{WorkerA}',
              locked_at = CASE id WHEN '{jobs[0].Id}' THEN now() - interval '11 minutes'
                                  WHEN '{jobs[1].Id}' THEN now() - interval '2 days'
                                  WHEN '{jobs[2].Id}' THEN now() - interval '11 minutes'
                                  ELSE now() - interval '1 minute' END,
              attempts_count = CASE id WHEN '{jobs[2].Id}' THEN 5 ELSE 1 END
            """);
        await using var db = CreateContext();

        Assert.Equal(3, await db.RecoverStaleJobsAsync<TestJob>(TimeSpan.FromMinutes(10), maxAttempts: 5));

        var rows = await db.TestJobs.AsNoTracking().ToDictionaryAsync(j => j.Id);
        Assert.Equal(JobStatus.Retry, rows[jobs[0].Id].Status);
        Assert.Null(rows[jobs[0].Id].LockedBy);
        Assert.Equal(JobStatus.Failed, rows[jobs[1].Id].Status);
        Assert.Equal("Stale job: worker likely crashed", rows[jobs[1].Id].LastError);
        Assert.Equal(JobStatus.Failed, rows[jobs[2].Id].Status);
        Assert.Equal("Stale job: worker likely crashed", rows[jobs[2].Id].LastError);
        Assert.Equal((JobStatus.Running, WorkerA), (rows[jobs[3].Id].Status, rows[jobs[3].Id].LockedBy!.Value));
        Assert.Equal(jobs[0].Id, (await db.FetchNextJobAsync<TestJob>(WorkerB))!.Id);
    }

    [Fact]
    public async Task Heartbeat_refreshes_only_the_workers_own_running_jobs()
    {
        await AddTestJobsAsync(3);
        await using var db = CreateContext();
        var mine = await db.FetchJobsAsync<TestJob>(WorkerA, 2);
        var theirs = (await db.FetchNextJobAsync<TestJob>(WorkerB))!;
        await ExecuteAsync("UPDATE test_jobs SET locked_at = now() - interval '1 hour'");

        var ids = mine.Select(j => j.Id).Append(theirs.Id).ToList();
        Assert.Equal(2, await db.HeartbeatJobsAsync<TestJob>(ids, WorkerA));
        Assert.Equal(2, await ScalarAsync<long>("SELECT count(*) FROM test_jobs WHERE locked_at > now() - interval '1 minute'"));
        Assert.Equal(1, await db.RecoverStaleJobsAsync<TestJob>(TimeSpan.FromMinutes(10), 10));
    }

    [Fact]
    public async Task Give_back_returns_every_running_row_of_the_worker_as_before_its_fetch()
    {
        await AddTestJobsAsync(3);
        await using var db = CreateContext();
        var first = (await db.FetchNextJobAsync<TestJob>(WorkerA))!;
        Assert.True(await db.JobDidTimeoutAsync(first, WorkerA, 10, ThirtySeconds));
        await ExecuteAsync($"UPDATE test_jobs SET run_at = now() - interval '1 hour' WHERE id = '{first.Id}'");
        var jobs = await db.FetchJobsAsync<TestJob>(WorkerA, 2);
        Assert.Contains(jobs, j => j.Id == first.Id);
        var started = jobs.Single(j => j.Id != first.Id);
        var other = (await db.FetchJobsAsync<TestJob>(WorkerB, 5)).Single();

        // Only WorkerA's rows; the started one is marked interrupted, the rest keep their last_error.
        Assert.Equal(2, await db.GiveBackJobsAsync<TestJob>(WorkerA, [started.Id], "Interrupted: worker stopping", CancellationToken.None));

        var rows = await db.TestJobs.AsNoTracking().ToDictionaryAsync(j => j.Id);
        Assert.Equal((JobStatus.Retry, 1, "Timeout reached", (Guid?)null), (rows[first.Id].Status, rows[first.Id].AttemptsCount, rows[first.Id].LastError, rows[first.Id].LockedBy));
        Assert.Equal((JobStatus.NotStarted, 0, "Interrupted: worker stopping", (Guid?)null), (rows[started.Id].Status, rows[started.Id].AttemptsCount, rows[started.Id].LastError, rows[started.Id].LockedBy));
        Assert.Equal((JobStatus.Running, 1, (Guid?)WorkerB), (rows[other.Id].Status, rows[other.Id].AttemptsCount, rows[other.Id].LockedBy));
    }

    [Fact]
    public async Task Tables_whose_names_need_quoting_or_exceed_63_bytes_work()
    {
        await using var db = CreateContext();
        db.Add(new QuotedNameJob { Payload = "quoted" });
        db.Add(new LongNameJob { Payload = "long" });
        await db.SaveChangesAsync();

        var quoted = Assert.Single(await db.FetchJobsAsync<QuotedNameJob>(WorkerA, 5));
        var longJob = Assert.Single(await db.FetchJobsAsync<LongNameJob>(WorkerA, 5));
        Assert.True(await db.JobDidSucceedAsync(quoted, WorkerA));
        Assert.True(await db.JobDidFailAsync(longJob, WorkerA, new InvalidOperationException("x"), 5, ThirtySeconds));
        Assert.True(await db.NotificationTriggersHealthyAsync<QuotedNameJob>());
        Assert.True(await db.NotificationTriggersHealthyAsync<LongNameJob>());
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM test_jobs"));
    }

    [Fact]
    public async Task Statement_prepared_before_a_schema_change_is_run_again_once()
    {
        // Auto-prepare makes Npgsql prepare the fetch on its second use, as a busy worker would.
        var connectionString = new NpgsqlConnectionStringBuilder(Database.ConnectionString)
        {
            MaxAutoPrepare = 10,
            AutoPrepareMinUsages = 1,
            Pooling = false,
        }.ConnectionString;
        var failures = new FailedCommandRecorder();
        await using var db = new TestDbContext(new DbContextOptionsBuilder<TestDbContext>()
            .UseNpgsql(connectionString, o => o.UseEfJobs()).AddInterceptors(failures).Options);
        await db.Database.OpenConnectionAsync();
        await AddTestJobsAsync(5);
        Assert.Single(await db.FetchJobsAsync<TestJob>(WorkerA, 1));
        Assert.Single(await db.FetchJobsAsync<TestJob>(WorkerA, 1));

        // A column the fetch's load reads changes type, as a migration might do under a running worker.
        await ExecuteAsync("ALTER TABLE test_jobs ALTER COLUMN \"Payload\" TYPE varchar(200)");

        // The prepared load now fails once with 0A000 (seen by the interceptor); the retry must hide it.
        Assert.Single(await db.FetchJobsAsync<TestJob>(WorkerA, 1));
        Assert.Equal(["0A000"], failures.SqlStates);
    }

    [Fact]
    public async Task A_row_that_cannot_be_read_fails_its_fetch_and_salvage_hands_over_its_neighbours()
    {
        var good = await AddTestJobsAsync(4);
        var bad = await AddUnreadableTestJobAsync();
        var held = (await AddTestJobsAsync(1, (j, _) => { j.Payload = "held"; j.RunAt = DateTime.UtcNow.AddHours(-2); })).Single();
        await using var db = CreateContext();
        var heldJob = Assert.Single(await db.FetchJobsAsync<TestJob>(WorkerA, 1));
        Assert.Equal(held.Id, heldJob.Id);

        // The fetch committed: every row is locked to the worker, but EF could not hand any of them over.
        await Assert.ThrowsAnyAsync<Exception>(() => db.FetchJobsAsync<TestJob>(WorkerA, 10));
        Assert.Equal(6L, await ScalarAsync<long>($"SELECT count(*) FROM test_jobs WHERE status = 'job_status_running' AND locked_by = '{WorkerA}'"));

        var unreadable = new List<(Guid Id, int Attempt, Exception Error)>();
        var salvaged = await db.SalvageFetchedJobsAsync<TestJob>(WorkerA, [heldJob.Id], 3, ThirtySeconds, (id, attempt, error) => unreadable.Add((id, attempt, error)));

        Assert.Equal(good.Select(j => j.Id).Order(), salvaged.Select(j => j.Id).Order());
        Assert.All(salvaged, j => Assert.Equal((JobStatus.Running, WorkerA, 1), (j.Status, j.LockedBy, j.AttemptsCount)));
        var (unreadableId, unreadableAttempt, readError) = Assert.Single(unreadable);
        Assert.Equal((bad, 1), (unreadableId, unreadableAttempt));
        var row = await db.TestJobs.AsNoTracking().Where(j => j.Id == bad).Select(j => new { j.Status, j.LockedBy, j.LastError, Delay = j.RunAt - DateTime.UtcNow }).SingleAsync();
        Assert.Equal(JobStatus.Retry, row.Status);
        Assert.Null(row.LockedBy);
        Assert.StartsWith("EfJobs could not read this row as TestJob: ", row.LastError, StringComparison.Ordinal);
        Assert.Contains(readError.Message, row.LastError, StringComparison.Ordinal);
        Assert.InRange(row.Delay, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(31));
        Assert.Equal(JobStatus.Running, await StatusOf(held.Id));

        // Nothing is left to take over, and the held job was never part of it.
        Assert.Empty(await db.SalvageFetchedJobsAsync<TestJob>(WorkerA, salvaged.Select(j => j.Id).Append(heldJob.Id).ToArray(), 3, ThirtySeconds));
    }

    [Fact]
    public async Task An_unreadable_row_on_its_last_attempt_is_failed()
    {
        var bad = await AddUnreadableTestJobAsync();
        await using var db = CreateContext();
        await Assert.ThrowsAnyAsync<Exception>(() => db.FetchJobsAsync<TestJob>(WorkerA, 10));

        Assert.Empty(await db.SalvageFetchedJobsAsync<TestJob>(WorkerA, [], 1, ThirtySeconds));

        Assert.Equal(JobStatus.Failed, await StatusOf(bad));
        Assert.True(await ScalarAsync<bool>($"SELECT locked_by IS NULL AND last_error LIKE 'EfJobs could not read this row as TestJob: %' FROM test_jobs WHERE id = '{bad}'"));
    }

    // created_at in the year 20000: PostgreSQL stores it, a .NET DateTime cannot hold it, so EF cannot read the row.
    private async Task<Guid> AddUnreadableTestJobAsync()
    {
        var id = Guid.CreateVersion7();
        await ExecuteAsync($"INSERT INTO test_jobs (id, \"Payload\", created_at, run_at) VALUES ('{id}', 'unreadable', '20000-01-01', now() - interval '1 hour')");
        return id;
    }

    private sealed class FailedCommandRecorder : Microsoft.EntityFrameworkCore.Diagnostics.DbCommandInterceptor
    {
        public List<string> SqlStates { get; } = [];

        public override Task CommandFailedAsync(System.Data.Common.DbCommand command, Microsoft.EntityFrameworkCore.Diagnostics.CommandErrorEventData eventData, CancellationToken cancellationToken = default)
        {
            SqlStates.Add((eventData.Exception as PostgresException)?.SqlState ?? eventData.Exception.GetType().Name);
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task A_table_IHP_created_works_unchanged()
    {
        await ExecuteAsync("""
            CREATE TABLE ihp_mail_jobs (
                id UUID DEFAULT gen_random_uuid() PRIMARY KEY NOT NULL,
                created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW() NOT NULL,
                updated_at TIMESTAMP WITH TIME ZONE DEFAULT NOW() NOT NULL,
                status JOB_STATUS DEFAULT 'job_status_not_started' NOT NULL,
                last_error TEXT DEFAULT NULL,
                attempts_count INT DEFAULT 0 NOT NULL,
                locked_at TIMESTAMP WITH TIME ZONE DEFAULT NULL,
                locked_by UUID DEFAULT NULL,
                run_at TIMESTAMP WITH TIME ZONE DEFAULT NOW() NOT NULL,
                user_email TEXT NOT NULL
            );
            INSERT INTO ihp_mail_jobs (user_email) VALUES ('a@example.com'), ('b@example.com');
            """);
        try
        {
            await using var db = new IhpContext(new DbContextOptionsBuilder<IhpContext>().UseNpgsql(Database.ConnectionString, o => o.UseEfJobs()).Options);
            var jobs = await db.FetchJobsAsync<IhpMailJob>(WorkerA, 5);
            Assert.Equal(["a@example.com", "b@example.com"], jobs.Select(j => j.UserEmail).Order());
            Assert.True(await db.JobDidSucceedAsync(jobs[0], WorkerA));
            Assert.True(await db.JobDidFailAsync(jobs[1], WorkerA, new InvalidOperationException("no"), 10, ThirtySeconds));
            db.Add(new IhpMailJob { UserEmail = "c@example.com" });
            await db.SaveChangesAsync();
            var statuses = await db.IhpMailJobs.AsNoTracking().ToDictionaryAsync(j => j.UserEmail, j => j.Status);
            Assert.Equal(JobStatus.Succeeded, statuses[jobs[0].UserEmail]);
            Assert.Equal(JobStatus.Retry, statuses[jobs[1].UserEmail]);
            Assert.Equal(JobStatus.NotStarted, statuses["c@example.com"]);
        }
        finally
        {
            await ExecuteAsync("DROP TABLE ihp_mail_jobs");
        }
    }

    private async Task<JobStatus> StatusOf(Guid id)
    {
        await using var db = CreateContext();
        return await db.TestJobs.AsNoTracking().Where(j => j.Id == id).Select(j => j.Status).SingleAsync();
    }

    private static Exception Throw(Action action)
    {
        try
        {
            action();
        }
        catch (Exception exception)
        {
            return exception;
        }

        throw new InvalidOperationException("did not throw");
    }

    public class IhpMailJob : JobBase
    {
        public string UserEmail { get; set; } = "";
    }

    private sealed class IhpContext(DbContextOptions<IhpContext> options) : DbContext(options)
    {
        public DbSet<IhpMailJob> IhpMailJobs => Set<IhpMailJob>();

        protected override void OnModelCreating(ModelBuilder modelBuilder) =>
            modelBuilder.Entity<IhpMailJob>().Property(j => j.UserEmail).HasColumnName("user_email");
    }
}
