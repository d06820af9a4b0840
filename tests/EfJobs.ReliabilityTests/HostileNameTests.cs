using EfJobs.ReliabilityTests.Infrastructure;
using EfJobs.ReliabilityTests.Worker;
using Xunit.Abstractions;

namespace EfJobs.ReliabilityTests;

/// <summary>Job tables whose names need quoting or are longer than PostgreSQL's identifiers.</summary>
public sealed class HostileNameTests(ITestOutputHelper output)
{
    private static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    [Fact]
    public async Task Jobs_in_tables_with_hostile_and_overlong_names_run_and_no_table_appears_or_disappears()
    {
        const int PerTable = 100;
        await using var database = await ReliabilityDatabase.CreateAsync();
        var truncatedLong = ReliabilityContext.LongTable[..63];
        string[] expected = ["executions", ReliabilityContext.QuotedTable, "reliability_jobs", truncatedLong];
        Task<List<string>> TablesAsync() => database.RowsAsync("SELECT table_name::text FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1")
            .ContinueWith(t => t.Result.Select(r => (string)r[0]!).ToList(), TaskScheduler.Default);
        Assert.Equal(expected.Order(StringComparer.Ordinal), (await TablesAsync()).Order(StringComparer.Ordinal));

        await using var worker = await WorkerProcess.StartAsync(database, new Dictionary<string, string> { ["REL_JOBS"] = "all", ["REL_POLL_MS"] = "3600000" });
        await using (var db = database.CreateContext())
        {
            for (var i = 0; i < PerTable; i++)
            {
                db.QuotedJobs.Add(new QuotedJob { WorkMs = 1 });
                db.LongJobs.Add(new LongJob { WorkMs = 1 });
                db.ReliabilityJobs.Add(new ReliabilityJob { WorkMs = 1 });
            }

            await db.SaveChangesAsync();
        }

        string[] tables = ["reliability_jobs", ReliabilityContext.QuotedTable, ReliabilityContext.LongTable];
        async Task<long> SucceededAsync()
        {
            long total = 0;
            foreach (var table in tables)
            {
                total += await database.ScalarAsync<long>($"SELECT count(*) FROM {Quote(table)} WHERE status = 'job_status_succeeded'");
            }

            return total;
        }

        await Eventually.TrueAsync(async () => await SucceededAsync() == 3 * PerTable, TimeSpan.FromSeconds(60), "the jobs of all three tables to succeed", () => worker.Output);
        var perTable = await database.RowsAsync("SELECT job_table, count(*), count(DISTINCT job_id) FROM executions GROUP BY job_table");
        var tablesAfter = await TablesAsync();
        var duplicated = await database.DuplicatedAsync();
        Summary.Write(output, "hostile-names", 0, 3 * PerTable, 3 * PerTable - await SucceededAsync(), duplicated, null,
            "executions per table " + string.Join(", ", perTable.Select(r => $"{((string)r[0]!)[..Math.Min(12, ((string)r[0]!).Length)]}…={r[1]}")));

        Assert.Equal(3, perTable.Count);
        Assert.All(perTable, r => Assert.Equal((long)PerTable, (long)r[2]!));
        Assert.Equal(0, duplicated);
        Assert.Equal(expected.Order(StringComparer.Ordinal), tablesAfter.Order(StringComparer.Ordinal));
        Assert.DoesNotContain("fail:", worker.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("[402]", worker.Output, StringComparison.Ordinal);
    }
}
