using EfJobs.ReliabilityTests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace EfJobs.ReliabilityTests;

/// <summary>The worker connects as a role with DML rights on its tables and nothing more.</summary>
public sealed class LeastPrivilegeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_worker_with_only_dml_rights_runs_recovers_and_checks_its_triggers()
    {
        var role = "efjobs_rel_worker_" + Guid.NewGuid().ToString("N")[..8];
        var database = await ReliabilityDatabase.CreateAsync();
        try
        {
            await database.ExecuteAsync($"""
                CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
                REVOKE ALL ON DATABASE "{database.Name}" FROM PUBLIC;
                GRANT CONNECT ON DATABASE "{database.Name}" TO {role};
                REVOKE ALL ON SCHEMA public FROM PUBLIC;
                GRANT USAGE ON SCHEMA public TO {role};
                GRANT SELECT, INSERT, UPDATE, DELETE ON reliability_jobs, executions TO {role};
                """);
            var connection = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Username = role }.ConnectionString;

            // The role really has no DDL: it can create nothing and owns nothing.
            await using (var asRole = new NpgsqlConnection(connection))
            {
                await asRole.OpenAsync();
                await using var ddl = new NpgsqlCommand("CREATE TABLE intruder (id int)", asRole);
                var denied = await Assert.ThrowsAsync<PostgresException>(() => ddl.ExecuteNonQueryAsync());
                Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, denied.SqlState);
            }

            Assert.Equal(0, await database.ScalarAsync<long>("SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = $1", role));

            var settings = new Dictionary<string, string>
            {
                ["REL_MAX_CONCURRENCY"] = "4",
                ["REL_POLL_MS"] = "1000",
                ["REL_STALE_MS"] = "2000",
                ["REL_HEARTBEAT_MS"] = "400",
            };
            const int Jobs = 600;
            var worker = await WorkerProcess.StartAsync(database, settings, "restricted", connectionString: connection);
            await database.EnqueueAsync(Jobs, workMs: 20);
            await Eventually.TrueAsync(async () => await database.CountAsync("status = 'job_status_succeeded'") >= Jobs / 4, TimeSpan.FromSeconds(60), "a quarter of the jobs", () => worker.Output);

            // A kill, so stale recovery and heartbeats run under the restricted role as well.
            var killedId = worker.WorkerId;
            worker.Kill();
            var firstOutput = worker.Output;
            await worker.DisposeAsync();
            await using var second = await WorkerProcess.StartAsync(database, settings, "restricted-2", connectionString: connection);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await Eventually.TrueAsync(async () => await database.CountAsync($"status = 'job_status_running' AND locked_by = '{killedId}'") == 0, TimeSpan.FromSeconds(60), "the killed worker's jobs to be rescued", () => second.Output);
            var rescue = clock.Elapsed.TotalSeconds;
            await Eventually.TrueAsync(async () => await database.CountAsync("status <> 'job_status_succeeded'") == 0, TimeSpan.FromSeconds(60), "every job to succeed", () => second.Output);
            await Task.Delay(1500); // one more trigger check by the poller

            var distinct = await database.ScalarAsync<long>("SELECT count(DISTINCT job_id) FROM executions");
            Summary.Write(output, "least-privilege", 1, Jobs, Jobs - distinct, await database.DuplicatedAsync(), rescue);

            Assert.Equal(Jobs, distinct);
            foreach (var text in new[] { firstOutput, second.Output })
            {
                Assert.DoesNotContain("fail:", text, StringComparison.Ordinal);
                Assert.DoesNotContain("[402]", text, StringComparison.Ordinal);
                Assert.DoesNotContain("[404]", text, StringComparison.Ordinal);
                Assert.DoesNotContain("permission denied", text, StringComparison.OrdinalIgnoreCase);
            }

            Assert.Equal(0, await database.ScalarAsync<long>("SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = $1", role));
        }
        finally
        {
            await database.DisposeAsync();
            await using var server = new NpgsqlConnection(ReliabilityDatabase.ServerConnectionString);
            await server.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP ROLE IF EXISTS {role}", server);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
