using System.Diagnostics;
using System.Globalization;
using EfJobs.Benchmarks.Infrastructure;

namespace EfJobs.Benchmarks.Scenarios;

/// <summary>
/// Scenario 7: several worker processes (copies of this program, <c>worker</c> sub-command) drain one table. Checks
/// that every job ran exactly once: the handlers' executions across processes add up to N and no row has
/// attempts_count above 1 (a second fetch of a job, by any process, would have counted a second attempt).
/// </summary>
public static class MultiProcessScenario
{
    public static async Task RunAsync(BenchRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var (jobs, c, count) = (run.Settings.Jobs, run.Settings.Concurrency, run.Settings.Processes);
        var db = run.Database;
        await db.PrepareDrainAsync(jobs).ConfigureAwait(false);

        var workers = new List<Process>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                workers.Add(StartWorker(db.ConnectionString, c, run.Settings));
            }

            foreach (var worker in workers)
            {
                var line = await worker.StandardOutput.ReadLineAsync().ConfigureAwait(false);
                if (line != "ready")
                {
                    throw new BenchCheckFailedException($"multi-process: a worker said '{line}' instead of ready: {await worker.StandardError.ReadToEndAsync().ConfigureAwait(false)}");
                }
            }

            Console.Error.WriteLine($"  multi-process: {count} workers x C={c} on {jobs:N0} jobs ...");
            var started = Stopwatch.GetTimestamp();
            foreach (var worker in workers)
            {
                await worker.StandardInput.WriteLineAsync("go").ConfigureAwait(false);
                await worker.StandardInput.FlushAsync().ConfigureAwait(false);
            }

            var deadline = TimeSpan.FromMinutes(10);
            while (await db.AnyUnfinishedAsync().ConfigureAwait(false))
            {
                if (Stopwatch.GetElapsedTime(started) > deadline)
                {
                    throw new BenchCheckFailedException($"multi-process: jobs left after {deadline}");
                }

                await Task.Delay(2).ConfigureAwait(false);
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            long executed = 0, allocated = 0, peak = 0;
            var perWorker = new List<long>();
            foreach (var worker in workers)
            {
                var line = await worker.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false) ?? "";
                await worker.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
                if (worker.ExitCode != 0 || !line.StartsWith("executed=", StringComparison.Ordinal))
                {
                    throw new BenchCheckFailedException($"multi-process: a worker exited with {worker.ExitCode}, said '{line}': {await worker.StandardError.ReadToEndAsync().ConfigureAwait(false)}");
                }

                var fields = line.Split(' ').Select(f => long.Parse(f.Split('=')[1], CultureInfo.InvariantCulture)).ToArray();
                perWorker.Add(fields[0]);
                executed += fields[0];
                allocated += fields[1];
                peak = Math.Max(peak, fields[2]);
            }

            await db.VerifyDrainedAsync(jobs, executed, "multi-process").ConfigureAwait(false);
            var m = new Measurement(jobs, elapsed, allocated, peak);
            run.Results.Add(DrainScenario.Row($"efjobs, {count} processes", m, c, "multi-process") with
            {
                Note = $"every job ran once (attempts_count 1, executions {executed:N0}); per process {string.Join(" / ", perWorker.Select(n => n.ToString("N0", CultureInfo.InvariantCulture)))}; C is per process; peak WS is the largest worker's",
            });
        }
        finally
        {
            foreach (var worker in workers)
            {
                if (!worker.HasExited)
                {
                    worker.Kill();
                }

                worker.Dispose();
            }
        }
    }

    // Another copy of this program: the apphost when there is one, else "dotnet EfJobs.Benchmarks.dll".
    private static Process StartWorker(string connectionString, int concurrency, BenchSettings settings)
    {
        var self = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(self)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(MultiProcessScenario).Assembly.Location);
        }

        foreach (var arg in new[] { "worker", "--connection", connectionString, "--concurrency", concurrency.ToString(CultureInfo.InvariantCulture), "--context", settings.ContextRegistration, "--prefetch", settings.Prefetch?.ToString(CultureInfo.InvariantCulture) ?? "auto" })
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("the worker process did not start");
    }
}
