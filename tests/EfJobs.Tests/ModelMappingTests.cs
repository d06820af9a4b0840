using EfJobs.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace EfJobs.Tests;

public class ModelMappingTests(TestDatabase database) : DatabaseTest(database)
{
    [Fact]
    public async Task Job_table_has_IHPs_columns_types_and_defaults()
    {
        await using var connection = await Database.OpenConnectionAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            """
            SELECT column_name, udt_name, is_nullable, coalesce(column_default, '')
              FROM information_schema.columns WHERE table_name = 'test_jobs' ORDER BY column_name
            """, connection);
        var columns = new Dictionary<string, (string Type, string Nullable, string Default)>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                columns[reader.GetString(0)] = (reader.GetString(1), reader.GetString(2), reader.GetString(3));
            }
        }

        Assert.Equal(("uuid", "NO", "gen_random_uuid()"), columns["id"]);
        Assert.Equal(("job_status", "NO", "'job_status_not_started'::job_status"), columns["status"]);
        Assert.Equal(("text", "YES", ""), columns["last_error"]);
        Assert.Equal(("int4", "NO", "0"), columns["attempts_count"]);
        Assert.Equal(("timestamptz", "YES", ""), columns["locked_at"]);
        Assert.Equal(("uuid", "YES", ""), columns["locked_by"]);
        Assert.Equal(("timestamptz", "NO", "now()"), columns["run_at"]);
        Assert.Equal(("timestamptz", "NO", "now()"), columns["created_at"]);
        Assert.Equal(("timestamptz", "NO", "now()"), columns["updated_at"]);
        Assert.True(columns.ContainsKey("Payload"), "payload columns follow the user's conventions");
    }

    [Fact]
    public async Task Enum_has_IHPs_labels_in_order()
    {
        var labels = await ScalarAsync<string[]>("SELECT enum_range(NULL::job_status)::text[]");
        Assert.Equal(JobStatusLabels.All, labels);
    }

    [Theory]
    [InlineData(typeof(TestJob), "test_jobs")]
    [InlineData(typeof(OtherJob), "other_jobs")]
    public void Table_name_is_snake_case_plural_of_the_type(Type jobType, string table)
    {
        using var db = CreateContext();
        Assert.Equal(table, db.Model.FindEntityType(jobType)!.GetTableName());
    }

    [Fact]
    public void Users_own_table_name_wins()
    {
        using var db = CreateContext();
        Assert.Equal(TestDbContext.QuotedTable, db.Model.FindEntityType(typeof(QuotedNameJob))!.GetTableName());
    }

    [Fact]
    public async Task Partial_indexes_cover_only_pending_and_running_rows()
    {
        var definitions = await ScalarAsync<string[]>(
            "SELECT array_agg(indexdef ORDER BY indexname) FROM pg_indexes WHERE tablename = 'test_jobs' AND indexname <> 'PK_test_jobs'");
        Assert.Collection(
            definitions,
            pending => Assert.Contains("(run_at, created_at) WHERE (((status = 'job_status_not_started'::job_status) OR (status = 'job_status_retry'::job_status)) AND (locked_by IS NULL))", pending, StringComparison.Ordinal),
            running => Assert.Contains("(locked_at) WHERE (status = 'job_status_running'::job_status)", running, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Fetch_uses_the_pending_index()
    {
        await AddTestJobsAsync(2000, (job, i) => job.Status = i % 2 == 0 ? JobStatus.Succeeded : JobStatus.NotStarted);
        await ExecuteAsync("ANALYZE test_jobs");
        await using var connection = await Database.OpenConnectionAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "EXPLAIN SELECT id FROM test_jobs WHERE " + Queue.JobQueueSql.PendingCondition + " ORDER BY run_at, created_at LIMIT 10 FOR UPDATE SKIP LOCKED", connection);
        var plan = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(0));
            }
        }

        Assert.Contains(plan, line => line.Contains("ix_pending_test_jobs", StringComparison.Ordinal));
    }

    [Fact]
    public async Task New_job_gets_database_defaults()
    {
        var before = await ScalarAsync<DateTime>("SELECT now()");
        var job = (await AddTestJobsAsync(1)).Single();

        Assert.NotEqual(Guid.Empty, job.Id);
        Assert.Equal(JobStatus.NotStarted, job.Status);
        Assert.Equal(0, job.AttemptsCount);
        Assert.InRange(job.RunAt, before.AddSeconds(-1), before.AddSeconds(5));
        Assert.Equal(DateTimeKind.Utc, job.CreatedAt.Kind);
    }

    [Fact]
    public async Task Jobs_added_through_EF_get_time_ordered_ids()
    {
        var jobs = new List<TestJob>();
        for (var i = 0; i < 20; i++)
        {
            jobs.AddRange(await AddTestJobsAsync(1));
            await Task.Delay(2);
        }

        Assert.All(jobs, job => Assert.Equal(7, job.Id.Version));
        var ordered = await ScalarAsync<Guid[]>("SELECT array_agg(id ORDER BY id) FROM test_jobs");
        Assert.Equal(jobs.Select(j => j.Id), ordered);
    }

    [Fact]
    public async Task Scheduled_job_keeps_its_run_at()
    {
        var runAt = new DateTime(2030, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        var job = (await AddTestJobsAsync(1, (j, _) => j.RunAt = runAt)).Single();
        await using var db = CreateContext();
        Assert.Equal(runAt, (await db.TestJobs.SingleAsync(j => j.Id == job.Id)).RunAt);
    }

    [Fact]
    public void Job_type_missing_from_the_model_is_refused_with_what_to_add()
    {
        using var db = CreateContext();
        var error = Assert.Throws<InvalidOperationException>(() => Queue.JobTables.Get(db, typeof(UnmappedJob)));
        Assert.Contains("UnmappedJob is not in the model of TestDbContext", error.Message, StringComparison.Ordinal);
        Assert.Contains("DbSet<UnmappedJob>", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Context_without_UseEfJobs_is_refused_with_what_to_call()
    {
        using var db = new TestDbContext(new DbContextOptionsBuilder<TestDbContext>().UseNpgsql(Database.ConnectionString).Options);
        var error = Assert.Throws<InvalidOperationException>(() => Queue.JobTables.Get(db, typeof(TestJob)));
        Assert.Contains("UseEfJobs()", error.Message, StringComparison.Ordinal);
    }

    private sealed class UnmappedJob : JobBase;
}
