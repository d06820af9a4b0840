using System.Diagnostics;
using System.Reflection;
using System.Text;
using Npgsql;

namespace EfJobs.ReliabilityTests.Infrastructure;

/// <summary>
/// One EfJobs.ReliabilityTests.Worker process: started with its settings in environment variables, its stdout and
/// stderr captured, killed (SIGKILL), stopped (SIGTERM) or left to exit.
/// </summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private const string WorkerDll = "EfJobs.ReliabilityTests.Worker.dll";
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Guid> _workerId = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WorkerProcess(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    public string Name { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public Guid WorkerId => _workerId.Task.IsCompletedSuccessfully ? _workerId.Task.Result : Guid.Empty;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static string WorkerPath
    {
        get
        {
            var local = Path.Combine(AppContext.BaseDirectory, WorkerDll);
            var built = typeof(WorkerProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .FirstOrDefault(a => a.Key == "WorkerDirectory")?.Value;
            if (built is not null && File.Exists(Path.Combine(built, WorkerDll)))
            {
                return Path.GetFullPath(Path.Combine(built, WorkerDll));
            }

            return local;
        }
    }

    /// <summary>Starts a worker and waits until it printed its id and its LISTEN connection is up.</summary>
    public static async Task<WorkerProcess> StartAsync(ReliabilityDatabase database, IDictionary<string, string>? settings = null, string name = "worker", string? connectionString = null, bool waitForListener = true)
    {
        ArgumentNullException.ThrowIfNull(database);
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(WorkerPath);
        info.Environment["REL_CONNECTION"] = connectionString ?? database.ConnectionString;
        info.Environment["DOTNET_gcServer"] = "0";
        info.Environment["DOTNET_TieredPGO"] = "0";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var worker = new WorkerProcess(process, name);
        process.OutputDataReceived += (_, e) => worker.OnLine(e.Data, "out");
        process.ErrorDataReceived += (_, e) => worker.OnLine(e.Data, "err");
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var id = await worker._workerId.Task.WaitAsync(TimeSpan.FromSeconds(60)).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : Guid.Empty);
        if (id == Guid.Empty)
        {
            throw new InvalidOperationException($"{name} did not print its worker id. Output:\n{worker.Output}");
        }

        if (waitForListener)
        {
            await worker.WaitForListenerAsync(database);
        }

        return worker;
    }

    /// <summary>The pid of the server backend that holds this worker's LISTEN connection, or null.</summary>
    public async Task<int?> ListenerBackendAsync(ReliabilityDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        await using var connection = new NpgsqlConnection(database.Server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND (query LIKE 'LISTEN%' OR query LIKE 'WITH live AS%') AND datname = $2", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = "efjobs-listener-" + WorkerId.ToString("N") });
        command.Parameters.Add(new NpgsqlParameter { Value = database.Name });
        return await command.ExecuteScalarAsync() is int pid ? pid : null;
    }

    public Task WaitForListenerAsync(ReliabilityDatabase database, int? notPid = null) =>
        Eventually.TrueAsync(
            async () =>
            {
                if (HasExited)
                {
                    throw new InvalidOperationException($"{Name} exited with {ExitCode}. Output:\n{Output}");
                }

                return await ListenerBackendAsync(database) is { } pid && pid != notPid;
            },
            TimeSpan.FromSeconds(60),
            $"the LISTEN connection of {Name}",
            () => Output);

    /// <summary>SIGKILL: the process dies at once, whatever it was doing.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    /// <summary>SIGTERM: the host stops gracefully.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public async Task<int> WaitForExitAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name} did not exit within {within}. Output:\n{Output}");
        }

        _process.WaitForExit(); // drains the output readers
        return _process.ExitCode;
    }

    private void OnLine(string? line, string stream)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Append(stream).Append(": ").AppendLine(line);
        }

        if (line.StartsWith("WORKER-ID ", StringComparison.Ordinal) && Guid.TryParse(line.AsSpan(10), out var id))
        {
            _workerId.TrySetResult(id);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already gone.
        }

        _process.Dispose();
    }
}
