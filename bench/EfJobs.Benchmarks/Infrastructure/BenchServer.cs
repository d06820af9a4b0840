using System.Diagnostics;

namespace EfJobs.Benchmarks.Infrastructure;

/// <summary>
/// The PostgreSQL server of the run: EFJOBS_BENCH_CONNECTION when set (run.sh and smoke.sh set it after starting a
/// throwaway cluster with scripts/pg.sh), otherwise a throwaway cluster this process starts with the same script and
/// stops at the end. Durability settings are PostgreSQL's defaults (fsync on); only pg_stat_statements is added.
/// </summary>
public sealed class BenchServer : IAsyncDisposable
{
    private readonly string? _stopScript;

    private BenchServer(string connectionString, string? stopScript)
    {
        ConnectionString = connectionString;
        _stopScript = stopScript;
    }

    public string ConnectionString { get; }

    public static async Task<BenchServer> StartAsync()
    {
        if (Environment.GetEnvironmentVariable("EFJOBS_BENCH_CONNECTION") is { Length: > 0 } given)
        {
            return new BenchServer(given, null);
        }

        var root = FindRepositoryRoot();
        var data = Path.Combine(Path.GetTempPath(), "efjobs-bench-pg-" + Guid.NewGuid().ToString("N")[..8]);
        Console.Error.WriteLine($"EFJOBS_BENCH_CONNECTION is not set: starting PostgreSQL in {data} with scripts/pg.sh");
        var output = await BashAsync(root, $"source scripts/pg.sh && pg_start '{data}' shared_preload_libraries=pg_stat_statements >&2 && echo \"$PG_BIN\" && echo \"$PG_CONNECTION\"").ConfigureAwait(false);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var stop = $"source scripts/pg.sh && PG_BIN='{lines[0]}' PG_DATA='{data}' pg_stop; rm -rf '{data}' '{data}.initdb.log'";
        return new BenchServer(lines[1], $"cd '{root}' && {stop}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopScript is not null)
        {
            await BashAsync(Environment.CurrentDirectory, _stopScript).ConfigureAwait(false);
        }
    }

    private static string FindRepositoryRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "scripts", "pg.sh")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("scripts/pg.sh not found above the current directory; set EFJOBS_BENCH_CONNECTION.");
    }

    private static async Task<string> BashAsync(string directory, string script)
    {
        var start = new ProcessStartInfo("bash", ["-c", script])
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start");
        var output = await process.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
        await process.WaitForExitAsync().ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{script}' failed with exit code {process.ExitCode}");
        }

        return output;
    }
}
