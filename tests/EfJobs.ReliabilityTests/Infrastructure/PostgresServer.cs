using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace EfJobs.ReliabilityTests.Infrastructure;

/// <summary>
/// A private PostgreSQL cluster made from the binaries in EFJOBS_PG_BIN (./test.sh and scripts/pg.sh set it), for the
/// scenario that restarts the server: restarting the shared cluster would break the other test assemblies, which
/// dotnet test runs at the same time. As root the cluster belongs to the postgres user, as in scripts/pg.sh.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _data;
    private readonly int _port;

    private PostgresServer(string bin, string data, int port)
    {
        _bin = bin;
        _data = data;
        _port = port;
        ConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres";
    }

    public string ConnectionString { get; }

    private static bool IsRoot => Environment.UserName == "root";

    public static async Task<PostgresServer> StartAsync()
    {
        var bin = Environment.GetEnvironmentVariable("EFJOBS_PG_BIN");
        if (string.IsNullOrEmpty(bin) || !File.Exists(Path.Combine(bin, "pg_ctl")))
        {
            throw new InvalidOperationException(
                "The database-restart scenario needs EFJOBS_PG_BIN (the directory of pg_ctl and initdb) to run a cluster it may restart. ./test.sh sets it.");
        }

        var data = Path.Combine(Path.GetTempPath(), "efjobs-rel-pg-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(data);
        if (IsRoot)
        {
            await RunAsync("chown", "postgres:postgres", data);
            await RunAsync("chmod", "700", data);
        }

        var port = FreePort();
        var server = new PostgresServer(bin, data, port);
        await server.PgAsync("initdb", "-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8");
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>pg_ctl stop -m fast: every connection is cut and the server stays down until <see cref="StartAgainAsync"/>.</summary>
    public async Task StopAsync()
    {
        await PgAsync("pg_ctl", "-D", _data, "-m", "fast", "-w", "-t", "60", "stop");
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>Starts the server (again) on the same port; it accepts connections when this returns.</summary>
    public Task StartAgainAsync() =>
        PgAsync("pg_ctl", "-D", _data, "-l", Path.Combine(_data, "server.log"), "-w", "-t", "60",
            "-o", $"-p {_port} -k {_data} -c listen_addresses=127.0.0.1 -c max_connections=100 -c fsync=off -c synchronous_commit=off", "start");

    /// <summary>pg_ctl restart -m fast: every connection is cut, the server is back when this returns.</summary>
    public async Task RestartFastAsync()
    {
        await PgAsync("pg_ctl", "-D", _data, "-l", Path.Combine(_data, "server.log"), "-m", "fast", "-w", "-t", "60", "restart");
        NpgsqlConnection.ClearAllPools(); // the test's own pooled connections died with the server
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await PgAsync("pg_ctl", "-D", _data, "-m", "immediate", "-w", "stop");
        }
        catch (InvalidOperationException) when (!File.Exists(Path.Combine(_data, "postmaster.pid")))
        {
            // Already stopped: a scenario that stops the server failed while it was down.
        }
        finally
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    private Task PgAsync(string program, params string[] arguments) =>
        IsRoot
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, program), .. arguments])
            : RunAsync(Path.Combine(_bin, program), arguments);

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await stdout} {await stderr}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
