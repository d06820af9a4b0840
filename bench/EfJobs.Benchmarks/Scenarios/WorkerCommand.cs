using System.Globalization;
using EfJobs.Benchmarks.Infrastructure;
using EfJobs.Benchmarks.Model;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace EfJobs.Benchmarks.Scenarios;

/// <summary>
/// <c>worker --connection CS --concurrency C [--context pool|factory|scoped] [--prefetch P]</c>: one process of the multi-process scenario.
/// It builds its host, prints "ready", starts the runner when "go" arrives on stdin, stops once no job is due or running,
/// and prints one line "executed=N allocated=B peak=B".
/// </summary>
public static class WorkerCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        string Option(string name, string fallback) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        var connectionString = Option("--connection", "");
        var concurrency = int.Parse(Option("--concurrency", "16"), CultureInfo.InvariantCulture);
        var registration = Option("--context", "pool");
        var prefetch = Option("--prefetch", "auto") is "auto" ? (int?)null : int.Parse(Option("--prefetch", "auto"), CultureInfo.InvariantCulture);

        var recorder = new ExecutionRecorder();
        using var host = EfJobsHost.Build(connectionString, recorder, registration, o =>
        {
            o.MaxConcurrency = concurrency;
            o.PrefetchCount = prefetch;
        });
        var bookkeeping = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "efjobs-bench-bookkeeping", MaxAutoPrepare = 0 };
        await using var dataSource = NpgsqlDataSource.Create(bookkeeping.ConnectionString);
        Console.WriteLine("ready");
        if (await Console.In.ReadLineAsync().ConfigureAwait(false) != "go")
        {
            return 2;
        }

        await using var probe = ResourceProbe.Start();
        await host.StartAsync().ConfigureAwait(false);
        while (true)
        {
            await Task.Delay(20).ConfigureAwait(false);
            await using var command = dataSource.CreateCommand(
                $"SELECT EXISTS (SELECT FROM {BenchDatabase.Table} WHERE {BenchDatabase.Pending}) OR EXISTS (SELECT FROM {BenchDatabase.Table} WHERE status = 'job_status_running')");
            if (!(bool)(await command.ExecuteScalarAsync().ConfigureAwait(false))!)
            {
                break;
            }
        }

        await host.StopAsync().ConfigureAwait(false);
        probe.Stop();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"executed={recorder.Executions} allocated={probe.AllocatedBytes} peak={probe.PeakWorkingSet}"));
        return 0;
    }
}
