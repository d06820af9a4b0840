using System.Globalization;
using System.Text;
using EfJobs.Benchmarks;
using EfJobs.Benchmarks.Infrastructure;
using EfJobs.Benchmarks.Scenarios;
using Npgsql;

// dotnet run -c Release --project bench/EfJobs.Benchmarks -- [scenario...|all] [--jobs N] [--concurrency C] [--smoke] [--out DIR]
// Every figure is a ratio against a baseline measured in the same run, because the machine is shared and noisy.
if (args is ["worker", ..])
{
    return await WorkerCommand.RunAsync(args[1..]).ConfigureAwait(false);
}

BenchSettings settings;
try
{
    settings = BenchSettings.Parse(args);
}
catch (Exception exception) when (exception is ArgumentException or FormatException)
{
    Console.Error.WriteLine(exception.Message);
    return 2;
}

var results = new ResultTable();
var failures = new List<string>();
var startedAt = DateTimeOffset.UtcNow;
var loadBefore = LoadAverage();
await using (var server = await BenchServer.StartAsync().ConfigureAwait(false))
{
    var machine = await DescribeMachineAsync(server.ConnectionString).ConfigureAwait(false);
    Console.Error.WriteLine(machine);
    await using var database = await BenchDatabase.CreateBenchAsync(server.ConnectionString, settings.MaxAutoPrepare).ConfigureAwait(false);
    var run = new BenchRun(settings, server, database, results);
    foreach (var scenario in settings.Scenarios)
    {
        Console.Error.WriteLine($"== {scenario}");
        try
        {
            await (scenario switch
            {
                "drain" => DrainScenario.RunAsync(run),
                "ihp-mode" => IhpModeScenario.RunAsync(run),
                "enqueue" => EnqueueScenario.RunAsync(run),
                "latency" => LatencyScenario.RunAsync(run),
                "bloat" => BloatScenario.RunAsync(run),
                "prune" => PruneScenario.RunAsync(run),
                "idle" => IdleScenario.RunAsync(run),
                "multi-process" => MultiProcessScenario.RunAsync(run),
                "sweep" => SweepScenario.RunAsync(run),
                _ => throw new ArgumentException(scenario),
            }).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // Any failure of one scenario is reported and makes the run fail, after the others ran.
            failures.Add($"{scenario}: {exception.GetType().Name}: {exception.Message}");
            Console.Error.WriteLine($"FAILED {scenario}: {exception}");
        }
    }

    NpgsqlConnection.ClearAllPools();
    var report = new StringBuilder();
    report.AppendLine(CultureInfo.InvariantCulture, $"Run {startedAt:yyyy-MM-dd HH:mm} UTC, {(DateTimeOffset.UtcNow - startedAt).TotalMinutes:N1} min; arguments: {string.Join(' ', args)}");
    report.AppendLine(CultureInfo.InvariantCulture, $"Settings: jobs {settings.Jobs:N0}, C {settings.Concurrency}, contexts {settings.ContextRegistration}, Max Auto Prepare {settings.MaxAutoPrepare}{(settings.Smoke ? ", smoke" : "")}");
    report.AppendLine(machine);
    report.AppendLine(CultureInfo.InvariantCulture, $"Load average (1/5/15 min) before: {loadBefore}; after: {LoadAverage()}");
    report.AppendLine();
    report.Append(results.ToMarkdown());
    if (failures.Count > 0)
    {
        report.AppendLine();
        report.AppendLine("FAILURES:");
        failures.ForEach(f => report.AppendLine("- " + f));
    }

    Console.WriteLine();
    Console.WriteLine(report);
    if (settings.OutputDirectory is { } directory)
    {
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "table.md"), report.ToString()).ConfigureAwait(false);
    }
}

return failures.Count == 0 ? 0 : 1;

static string LoadAverage() =>
    File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

static async Task<string> DescribeMachineAsync(string connectionString)
{
    await using var dataSource = NpgsqlDataSource.Create(connectionString);
    await using var command = dataSource.CreateCommand(
        "SELECT string_agg(name || '=' || setting || coalesce(unit, ''), ', ' ORDER BY name) FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers', 'max_connections', 'wal_level', 'max_wal_size', 'shared_preload_libraries')");
    var pgSettings = (string)(await command.ExecuteScalarAsync().ConfigureAwait(false))!;
    await using var version = dataSource.CreateCommand("SHOW server_version");
    var pgVersion = (string)(await version.ExecuteScalarAsync().ConfigureAwait(false))!;
    var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
    return string.Create(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores, {memory:N1} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}; PostgreSQL {pgVersion} on the same machine ({pgSettings})");
}
