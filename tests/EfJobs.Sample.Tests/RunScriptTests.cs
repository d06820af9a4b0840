using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace EfJobs.Sample.Tests;

/// <summary>
/// ./run.sh as a newcomer runs it: piped into tee, then Ctrl+C. The database the script started must be stopped,
/// and the first curl line it prints must answer (201, then 409 for the same e-mail, as on a second run).
/// </summary>
public sealed partial class RunScriptTests(ITestOutputHelper output) : IDisposable
{
    // Under /tmp itself, so that as root the cluster's owner (postgres) can reach it.
    private readonly string _data = Path.Combine(Path.GetTempPath(), "efjobs-runsh-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly string _log = Path.GetTempFileName();

    [Fact]
    public async Task Ctrl_C_on_run_sh_piped_into_tee_stops_the_database_it_started()
    {
        var port = FreePort();
        // setsid: a process group of its own, as a terminal gives the pipeline, so Ctrl+C can be sent to all of it.
        var start = new ProcessStartInfo("setsid", ["bash", "-c", $"./run.sh | tee '{_log}'"])
        {
            WorkingDirectory = RepositoryRoot.Find(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        // A newcomer's shell: no connection of ./test.sh's, and none of the PG_* variables its cluster exported (pg.sh
        // would take PG_PORT as the port to start on, and find it taken).
        foreach (var name in new[] { "EFJOBS_CONNECTION", "PG_PORT", "PG_DATA", "PG_BIN", "PG_CONNECTION" })
        {
            start.Environment.Remove(name);
        }

        start.Environment["EFJOBS_SAMPLE_PGDATA"] = _data;
        start.Environment["EFJOBS_SAMPLE_PORT"] = port.ToString(CultureInfo.InvariantCulture);
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["UseSharedCompilation"] = "false";

        var stopwatch = Stopwatch.StartNew();
        using var run = Process.Start(start)!;
        var stderr = new StringBuilder();
        run.ErrorDataReceived += (_, e) => { lock (stderr) { stderr.AppendLine(e.Data); } };
        run.BeginErrorReadLine();
        run.BeginOutputReadLine();
        using var http = new HttpClient();
        await WaitUntilAsync(async () =>
        {
            Assert.False(run.HasExited, "./run.sh exited early:\n" + Logged() + stderr);
            try
            {
                await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/"));
                return true;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, "the sample to answer");
        output.WriteLine($"./run.sh answered after {stopwatch.Elapsed.TotalSeconds:F0} s");
        Assert.True(File.Exists(Path.Combine(_data, "postmaster.pid")), "./run.sh did not start its own cluster in " + _data);

        // The first curl line the script prints, sent twice.
        var signup = SignupLine().Match(Logged());
        Assert.True(signup.Success, "./run.sh printed no signup curl line:\n" + Logged());
        Assert.Equal($"http://127.0.0.1:{port}/signup", signup.Groups["url"].Value);
        using var body = new StringContent(signup.Groups["body"].Value, Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.Created, (await http.PostAsync(new Uri(signup.Groups["url"].Value), body)).StatusCode);
        using var again = await http.PostAsync(new Uri(signup.Groups["url"].Value), body);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("exists already", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Ctrl+C: SIGINT to the whole process group (bash, run.sh, tee, dotnet).
        Signal("-INT", "--", "-" + run.Id.ToString(CultureInfo.InvariantCulture));
        Assert.True(run.WaitForExit(TimeSpan.FromSeconds(60)), "./run.sh did not end within 60 s of Ctrl+C");
        Assert.False(File.Exists(Path.Combine(_data, "postmaster.pid")), "Ctrl+C left the PostgreSQL of ./run.sh running:\n" + Logged() + stderr);
    }

    public void Dispose()
    {
        // A failed run may leave its cluster behind; stop it with the binaries ./test.sh found.
        if (File.Exists(Path.Combine(_data, "postmaster.pid")) && Environment.GetEnvironmentVariable("EFJOBS_PG_BIN") is { Length: > 0 } bin)
        {
            var pgCtl = Path.Combine(bin, "pg_ctl");
            string[] stop = ["-D", _data, "-m", "immediate", "-w", "stop"];
            using var process = Environment.UserName == "root"
                ? Process.Start("runuser", ["-u", "postgres", "--", pgCtl, .. stop])
                : Process.Start(pgCtl, stop);
            process.WaitForExit();
        }

        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }

        File.Delete(_log);
        File.Delete(_data + ".initdb.log");
    }

    private string Logged()
    {
        using var stream = new FileStream(_log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static void Signal(params string[] arguments)
    {
        using var kill = Process.Start("kill", arguments);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddMinutes(4);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Waited 4 minutes for " + what);
            }

            await Task.Delay(250);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"curl -X POST (?<url>\S+/signup) -H 'content-type: application/json' -d '(?<body>[^']+)'")]
    private static partial Regex SignupLine();
}
