using System.Diagnostics;
using Npgsql;

namespace EfJobs.ReliabilityTests.Infrastructure;

/// <summary>Restarts the PostgreSQL cluster that ./test.sh (scripts/pg.sh) started: EFJOBS_PG_BIN and EFJOBS_PG_DATA.</summary>
public static class PostgresServer
{
    public static async Task RestartFastAsync()
    {
        var bin = Environment.GetEnvironmentVariable("EFJOBS_PG_BIN");
        var data = Environment.GetEnvironmentVariable("EFJOBS_PG_DATA");
        if (string.IsNullOrEmpty(bin) || string.IsNullOrEmpty(data))
        {
            throw new InvalidOperationException(
                "The database-restart scenario needs EFJOBS_PG_BIN and EFJOBS_PG_DATA (the cluster it may restart). ./test.sh sets both when it starts its own PostgreSQL.");
        }

        var pgCtl = Path.Combine(bin, "pg_ctl");
        var root = Environment.UserName == "root";
        var info = new ProcessStartInfo(root ? "runuser" : pgCtl)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (root)
        {
            foreach (var argument in new[] { "-u", "postgres", "--", pgCtl })
            {
                info.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in new[] { "-D", data, "-l", Path.Combine(data, "server.log"), "-m", "fast", "-w", "-t", "60", "restart" })
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"pg_ctl restart failed ({process.ExitCode}): {await stdout} {await stderr}");
        }

        // The test's own pooled connections died with the server.
        NpgsqlConnection.ClearAllPools();
    }
}
