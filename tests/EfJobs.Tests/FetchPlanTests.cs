using System.Text.Json;
using EfJobs.Tests.Infrastructure;
using Npgsql;

namespace EfJobs.Tests;

/// <summary>
/// Issue 17: the fetch's plan holds with and without statistics. A class of its own, so its ANALYZE never reaches
/// <see cref="PlanTests"/>' table without statistics.
/// </summary>
public class FetchPlanTests(TestDatabase database) : DatabaseTest(database)
{
    // With statistics, a fetch that joined its picked ids back to the table was planned as a hash join over a scan of
    // the whole table (every fetch read every row of a table of some ten thousand); it updates by ctid now.
    [Fact]
    public async Task The_fetch_reads_only_the_rows_it_picks_with_or_without_statistics()
    {
        await ExecuteAsync("ALTER TABLE test_jobs SET (autovacuum_enabled = false)");
        await AddTestJobsAsync(20000);

        AssertNoTableScan(await ExplainFetchAsync());
        await ExecuteAsync("ANALYZE test_jobs");
        AssertNoTableScan(await ExplainFetchAsync());
    }

    private static void AssertNoTableScan(List<JsonElement> nodes)
    {
        var shape = string.Join(" / ", nodes.Select(n => n.GetProperty("Node Type").GetString() + (n.TryGetProperty("Index Name", out var i) ? " " + i.GetString() : "")));
        Assert.False(nodes.Any(n => n.GetProperty("Node Type").GetString() == "Seq Scan"), "the fetch scans the table: " + shape);
        Assert.True(nodes.Any(n => n.GetProperty("Node Type").GetString() == "Tid Scan"), "the fetch does not update by ctid: " + shape);
    }

    private async Task<List<JsonElement>> ExplainFetchAsync()
    {
        await using var db = CreateContext();
        var sql = "EXPLAIN (FORMAT JSON) " + Queue.JobQueueSql.FetchRows(Queue.JobTables.Get<TestJob>(db));
        await using var connection = await Database.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter<Guid>("worker_id", WorkerA));
        command.Parameters.Add(new NpgsqlParameter<int>("limit", 100));
        var plan = JsonDocument.Parse((string)(await command.ExecuteScalarAsync())!).RootElement[0].GetProperty("Plan");
        var nodes = new List<JsonElement>();
        PlanTests.Collect(plan, nodes);
        return nodes;
    }
}
