using System.Text.Json;
using EfJobs.Tests.Infrastructure;
using Npgsql;

namespace EfJobs.Tests;

/// <summary>
/// Issue 17: the queue's statements keep a good plan on a table with no statistics and a bloated running-rows index,
/// which is what an application's fresh table looks like before autovacuum's first ANALYZE. The batched success update
/// used to be planned as a scan of the running-rows index (its dead entries included) joined to a rescanned unnest.
/// </summary>
public class PlanTests(TestDatabase database) : DatabaseTest(database)
{
    [Fact]
    public async Task The_batched_success_update_looks_jobs_up_by_primary_key_with_or_without_statistics()
    {
        // This class's database is its own, so no other test's rows or ANALYZE reach this table; autovacuum is kept off
        // it so the "no statistics" half stays true however long the test takes.
        await ExecuteAsync("ALTER TABLE test_jobs SET (autovacuum_enabled = false)");
        await AddTestJobsAsync(4000);

        // Bloat the running-rows index the way a drain does: every row passes through running once.
        await using var db = CreateContext();
        List<TestJob> batch;
        while (true)
        {
            batch = [.. await db.FetchJobsAsync<TestJob>(WorkerA, 256)];
            if (await ScalarAsync<long>("SELECT count(*) FROM test_jobs WHERE status = 'job_status_not_started'") == 0)
            {
                break;
            }

            Assert.Equal(batch.Count, await db.JobsDidSucceedAsync(batch, WorkerA));
        }

        Assert.Equal(-1f, await ScalarAsync<float>("SELECT reltuples FROM pg_class WHERE relname = 'test_jobs'"));
        AssertPrimaryKeyLookups(await ExplainSucceedBatchAsync(batch));

        await ExecuteAsync("ANALYZE test_jobs");
        AssertPrimaryKeyLookups(await ExplainSucceedBatchAsync(batch));

        Assert.Equal(batch.Count, await db.JobsDidSucceedAsync(batch, WorkerA));
        Assert.Equal(4000L, await ScalarAsync<long>("SELECT count(*) FROM test_jobs WHERE status = 'job_status_succeeded'"));
    }

    private static void AssertPrimaryKeyLookups(List<JsonElement> nodes)
    {
        var indexes = nodes.Where(n => n.TryGetProperty("Index Name", out _)).Select(n => n.GetProperty("Index Name").GetString()).ToList();
        var shape = string.Join(" / ", nodes.Select(n => n.GetProperty("Node Type").GetString() + (n.TryGetProperty("Index Name", out var i) ? " " + i.GetString() : "")));
        Assert.False(indexes.Any(name => name!.StartsWith("ix_running", StringComparison.Ordinal)), "the plan reads the running-rows index: " + shape);
        Assert.Contains("PK_test_jobs", indexes);
        Assert.DoesNotContain(nodes, n => n.GetProperty("Node Type").GetString() == "Seq Scan");
    }

    private async Task<List<JsonElement>> ExplainSucceedBatchAsync(IReadOnlyList<TestJob> batch)
    {
        await using var db = CreateContext();
        var sql = "EXPLAIN (FORMAT JSON) " + Queue.JobQueueSql.SucceedBatch(Queue.JobTables.Get<TestJob>(db));
        await using var connection = await Database.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter<Guid[]>("ids", [.. batch.Select(j => j.Id)]));
        command.Parameters.Add(new NpgsqlParameter<int[]>("attempts", [.. batch.Select(j => j.AttemptsCount)]));
        command.Parameters.Add(new NpgsqlParameter<Guid>("worker_id", WorkerA));
        var plan = JsonDocument.Parse((string)(await command.ExecuteScalarAsync())!).RootElement[0].GetProperty("Plan");
        var nodes = new List<JsonElement>();
        Collect(plan, nodes);
        return nodes;
    }

    internal static void Collect(JsonElement node, List<JsonElement> nodes)
    {
        nodes.Add(node);
        if (node.TryGetProperty("Plans", out var children))
        {
            foreach (var child in children.EnumerateArray())
            {
                Collect(child, nodes);
            }
        }
    }
}
