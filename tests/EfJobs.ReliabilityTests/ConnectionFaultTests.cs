using System.Diagnostics;
using EfJobs.ReliabilityTests.Infrastructure;
using Xunit.Abstractions;

namespace EfJobs.ReliabilityTests;

/// <summary>The database goes away under the workers: a fast restart of the server, and the LISTEN connection killed.</summary>
public sealed class ConnectionFaultTests(ITestOutputHelper output)
{
    // PollInterval 1 h: a job that starts promptly was announced by a notification, so the LISTEN connection is back.
    private static readonly Dictionary<string, string> NotifyOnly = new()
    {
        ["REL_MAX_CONCURRENCY"] = "4",
        ["REL_POLL_MS"] = "3600000",
        ["REL_STALE_MS"] = "3000",
        ["REL_HEARTBEAT_MS"] = "500",
    };

    [Fact]
    public async Task Database_restart_mid_drain_no_worker_exits_every_job_succeeds_and_notifications_resume()
    {
        const int Jobs = 3000;
        await using var postgres = await PostgresServer.StartAsync();
        await using var database = await ReliabilityDatabase.CreateAsync(postgres.ConnectionString);
        var workers = new List<WorkerProcess>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                workers.Add(await WorkerProcess.StartAsync(database, NotifyOnly, $"worker{i}"));
            }

            var listenersBefore = new List<int?>();
            foreach (var worker in workers)
            {
                listenersBefore.Add(await worker.ListenerBackendAsync(database));
            }

            await database.EnqueueAsync(Jobs, workMs: 20);
            await Eventually.TrueAsync(async () => await database.CountAsync("status = 'job_status_succeeded'") >= Jobs / 4, TimeSpan.FromSeconds(60), "a quarter of the drain");
            await postgres.RestartFastAsync();
            var doneAtRestart = await database.CountAsync("status = 'job_status_succeeded'");

            await Eventually.TrueAsync(
                async () => await database.CountAsync("status <> 'job_status_succeeded'") == 0,
                TimeSpan.FromSeconds(120),
                "every job to succeed after the restart",
                () => string.Join("\n", workers.Select(w => w.Name + ":\n" + w.Output)),
                pollMs: 250);
            for (var i = 0; i < workers.Count; i++)
            {
                await workers[i].WaitForListenerAsync(database, notPid: listenersBefore[i]);
            }

            // A job enqueued after the restart, with the queue empty: only a notification can start it within the hour.
            var clock = Stopwatch.StartNew();
            var probe = (await database.EnqueueAsync(1))[0];
            await Eventually.TrueAsync(
                async () => await database.ScalarAsync<long>("SELECT count(*) FROM executions WHERE job_id = $1", probe) > 0,
                TimeSpan.FromSeconds(30),
                "the job enqueued after the restart to start",
                () => string.Join("\n", workers.Select(w => w.Name + ":\n" + w.Output)));
            var probeStart = clock.Elapsed.TotalSeconds;
            await Eventually.TrueAsync(async () => await database.CountAsync("status <> 'job_status_succeeded'") == 0, TimeSpan.FromSeconds(30), "the probe to succeed");

            var distinct = await database.ScalarAsync<long>("SELECT count(DISTINCT job_id) FROM executions");
            var duplicated = await database.DuplicatedAsync();
            Summary.Write(output, "database-restart", 1, Jobs + 1, Jobs + 1 - distinct, duplicated, null,
                $"{doneAtRestart} done at the restart, job enqueued afterwards started in {probeStart:0.00} s");

            Assert.All(workers, w => Assert.False(w.HasExited, $"{w.Name} exited:\n{w.Output}"));
            Assert.True(doneAtRestart < Jobs, "the restart happened in the middle of the drain");
            Assert.Equal(Jobs + 1, distinct);
            Assert.Equal(Jobs + 1, await database.CountAsync("status = 'job_status_succeeded'"));
            Assert.True(probeStart < 10, $"the job enqueued after the restart started only after {probeStart:0.00} s");
        }
        finally
        {
            foreach (var worker in workers)
            {
                await worker.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Terminated_listen_connection_comes_back_and_the_next_job_starts_promptly()
    {
        const int Faults = 5;
        await using var database = await ReliabilityDatabase.CreateAsync();
        await using var worker = await WorkerProcess.StartAsync(database, NotifyOnly);
        var latencies = new List<double>();
        for (var i = 0; i < Faults; i++)
        {
            var listener = await worker.ListenerBackendAsync(database);
            Assert.NotNull(listener);
            Assert.True(await database.ScalarAsync<bool>("SELECT pg_terminate_backend($1)", listener!.Value));

            var clock = Stopwatch.StartNew();
            var job = (await database.EnqueueAsync(1))[0];
            await Eventually.TrueAsync(
                async () => await database.ScalarAsync<long>("SELECT count(*) FROM executions WHERE job_id = $1", job) > 0,
                TimeSpan.FromSeconds(30),
                $"the job enqueued after termination {i + 1} to start",
                () => worker.Output);
            latencies.Add(clock.Elapsed.TotalSeconds);
            await worker.WaitForListenerAsync(database, notPid: listener);
        }

        await Eventually.TrueAsync(async () => await database.CountAsync("status <> 'job_status_succeeded'") == 0, TimeSpan.FromSeconds(30), "every job to succeed");
        Summary.Write(output, "dropped-listen", Faults, Faults, Faults - await database.CountAsync("status = 'job_status_succeeded'"), await database.DuplicatedAsync(), latencies.Max(),
            "slowest rescue = slowest start of a job enqueued right after the termination");

        Assert.False(worker.HasExited, worker.Output);
        Assert.All(latencies, l => Assert.True(l < 5, $"a job started only {l:0.00} s after the LISTEN connection was terminated"));
        Assert.Equal(Faults, await database.CountAsync("status = 'job_status_succeeded'"));
    }
}
