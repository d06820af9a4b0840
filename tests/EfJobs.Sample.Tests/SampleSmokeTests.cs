using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using WebApp.Data;
using Xunit.Abstractions;

namespace EfJobs.Sample.Tests;

/// <summary>Runs samples/WebApp as a real process against a fresh database, as ./run.sh does, and signs a user up.</summary>
public sealed class SampleSmokeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _database = "efjobs_sample_" + Guid.NewGuid().ToString("N")[..12];
    private string _connectionString = "";

    public async Task InitializeAsync()
    {
        var server = Environment.GetEnvironmentVariable("EFJOBS_TEST_CONNECTION")
            ?? throw new InvalidOperationException("EFJOBS_TEST_CONNECTION is not set. Run the tests with ./test.sh.");
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{_database}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        _connectionString = new NpgsqlConnectionStringBuilder(server) { Database = _database }.ConnectionString;
    }

    private static async Task<JsonElement> WaitForHealthyAsync(HttpClient http)
    {
        JsonElement health = default;
        await WaitUntilAsync(async () =>
        {
            var response = await http.GetAsync("/health");
            health = await response.Content.ReadFromJsonAsync<JsonElement>();
            return response.IsSuccessStatusCode && health.GetProperty("status").GetString() == "Healthy";
        }, "GET /health to answer Healthy");
        return health;
    }

    [Fact]
    public async Task Signup_commits_the_user_and_its_welcome_job_and_the_job_writes_the_mail()
    {
        // The committed migrations, applied as `dotnet ef database update` would (MigrateAsync runs the same operations).
        await using (var db = CreateContext())
        {
            await db.Database.MigrateAsync();
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        }

        var port = FreePort();
        using var app = StartSample(port);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await WaitUntilAsync(async () => (await TryGetAsync(http, "/")) is not null, "the sample to listen");
        var page = await http.GetStringAsync("/");
        // The page names the address the sample listens on (not a fixed 5080) in each of its four curl lines.
        Assert.Equal(4, page.Split('\n').Count(line => line.Contains("curl ", StringComparison.Ordinal)));
        Assert.Equal(4, page.Split($"http://127.0.0.1:{port}/").Length - 1);

        // GET /health runs EfJobs' three checks: the runner listens, no job waits, no row is stale.
        var health = await WaitForHealthyAsync(http);
        Assert.Equal(["efjobs-queue-latency", "efjobs-runner", "efjobs-stale-jobs"], health.GetProperty("checks").EnumerateObject().Select(c => c.Name).Order());

        var response = await http.PostAsJsonAsync("/signup", new { email = "ada@example.com", name = "Ada" });
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);

        await WaitUntilAsync(async () =>
        {
            var jobs = await TryGetAsync(http, "/jobs");
            return jobs is { } json
                && json.GetProperty("welcome_mail_jobs").TryGetProperty("job_status_succeeded", out var succeeded) && succeeded.GetInt32() == 1
                && json.GetProperty("sent_mails").GetInt32() == 1;
        }, "the welcome job to succeed");

        await using (var db = CreateContext())
        {
            var mail = await db.SentMails.SingleAsync();
            Assert.Equal(("ada@example.com", "Welcome, Ada!"), (mail.To, mail.Subject));
        }

        // A second signup with the same email breaks the unique index: neither the user nor its job may exist, and
        // the answer says why (as the first curl line of a second ./run.sh does) instead of a 500 with stack traces.
        var duplicate = await http.PostAsJsonAsync("/signup", new { email = "ada@example.com", name = "Ada again" });
        Assert.Equal(System.Net.HttpStatusCode.Conflict, duplicate.StatusCode);
        var error = (await duplicate.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString();
        Assert.Equal("A user with the e-mail ada@example.com exists already; nothing was saved and no welcome mail job was enqueued.", error);

        Stop(app);
        await using (var db = CreateContext())
        {
            Assert.Equal(1, await db.WelcomeMailJobs.CountAsync());
            Assert.Equal(0, await db.WelcomeMailJobs.CountAsync(j => j.Status == JobStatus.Running));
        }
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(Environment.GetEnvironmentVariable("EFJOBS_TEST_CONNECTION"));
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    private AppDbContext CreateContext()
    {
        var options = new DbContextOptionsBuilder<AppDbContext>();
        AppDbContextOptions.Configure(options, _connectionString);
        return new AppDbContext(options.Options);
    }

    private Process StartSample(int port)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "WebApp.dll"), "--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = Path.Combine(RepositoryRoot.Find(), "samples", "WebApp"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment[AppDbContextOptions.ConnectionVariable] = _connectionString;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Log(e.Data);
        process.ErrorDataReceived += (_, e) => Log(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void Log(string? line)
    {
        if (line is null)
        {
            return;
        }

        try
        {
            output.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // The test has ended; the process's last lines have nowhere to go.
        }
    }

    // SIGTERM, as a deploy or Ctrl+C would: the host stops gracefully and must exit by itself.
    private static void Stop(Process app)
    {
        using (var kill = Process.Start("kill", ["-TERM", app.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit();
        }

        Assert.True(app.WaitForExit(TimeSpan.FromSeconds(30)), "the sample did not stop within 30 s of SIGTERM");
        Assert.Equal(0, app.ExitCode);
    }

    private static async Task<JsonElement?> TryGetAsync(HttpClient http, string path)
    {
        try
        {
            var body = await http.GetStringAsync(path);
            return path == "/" ? default(JsonElement) : JsonDocument.Parse(body).RootElement;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Waited 60 s for " + what);
            }

            await Task.Delay(100);
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
