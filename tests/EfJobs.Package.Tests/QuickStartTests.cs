using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;
using Xunit.Abstractions;

namespace EfJobs.Package.Tests;

/// <summary>
/// The README's quick start, word for word, as a newcomer follows it: a new app in a temporary folder, the packages
/// from the folder feed `dotnet pack` wrote (no project reference), the files and commands in the README's order,
/// `dotnet ef` with no attribute added by hand, then a signup whose job must succeed.
/// </summary>
/// <remarks>
/// The only liberties: the README's port 5000 becomes a free one, <c>curl</c> lines are sent with HttpClient (CI has no
/// curl), and NuGet extracts into a folder of the test's own with the machine's package folder as a read-only
/// fallback, so that EF Core is not downloaded again and an EfJobs package of an earlier pack is never picked up.
/// </remarks>
[Collection(PackagesCollection.Name)]
public sealed partial class QuickStartTests(PackedPackages packages, ITestOutputHelper output) : IAsyncLifetime
{
    private const string ReadmeAddress = "127.0.0.1:5000";

    private readonly string _folder = Directory.CreateTempSubdirectory("efjobs-quickstart-").FullName;
    private readonly string _database = "efjobs_quickstart_" + Guid.NewGuid().ToString("N")[..12];
    private readonly List<Process> _started = [];

    private static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("EFJOBS_TEST_CONNECTION")
        ?? throw new InvalidOperationException("EFJOBS_TEST_CONNECTION is not set. Run the tests with ./test.sh.");

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_quick_start_runs_word_for_word_from_the_packages_and_its_job_succeeds()
    {
        output.WriteLine($"dotnet pack (README install section): {packages.PackTime.TotalSeconds:F0} s");
        var total = Stopwatch.StartNew();
        var shell = new Shell(PrepareEnvironment());
        var address = "127.0.0.1:" + FreePort();
        var directory = _folder;
        Process? app = null;
        StringBuilder? appOutput = null;
        var sawMigrationLine = false;

        foreach (var block in ReadmeSection.Blocks(packages.Readme, "Quick start"))
        {
            var step = Stopwatch.StartNew();
            switch (block)
            {
                case { Language: "csharp" } when FileName().Match(block.Code) is { Success: true } file:
                    await File.WriteAllTextAsync(Path.Combine(directory, file.Groups[1].Value), block.Code);
                    break;
                case { Language: "csharp" }:
                    // A line the README says `dotnet ef migrations add` writes.
                    var migrations = Directory.GetFiles(Path.Combine(directory, "Migrations"), "*.cs").Select(File.ReadAllText);
                    Assert.Contains(migrations, code => code.Contains(block.Code.Trim(), StringComparison.Ordinal));
                    sawMigrationLine = true;
                    break;
                case { Language: "sh" } when block.Lines.Any(l => l.StartsWith("dotnet run", StringComparison.Ordinal)):
                    var run = block.Lines.Single();
                    app = shell.StartInBackground(run.Replace(ReadmeAddress, address, StringComparison.Ordinal), directory, out appOutput);
                    _started.Add(app);
                    break;
                case { Language: "sh" } when block.Lines.All(l => l.StartsWith("curl ", StringComparison.Ordinal)):
                    Assert.NotNull(app);
                    foreach (var line in block.Lines)
                    {
                        await SignUpAndWaitForTheJobAsync(line.Replace(ReadmeAddress, address, StringComparison.Ordinal), app, appOutput!);
                    }

                    break;
                case { Language: "sh" }:
                    directory = await shell.RunAsync(block.Code, directory, TimeSpan.FromMinutes(4));
                    break;
                default:
                    throw new InvalidOperationException($"The quick start has a ```{block.Language} block the test does not know how to follow.");
            }

            output.WriteLine($"{step.Elapsed.TotalSeconds,5:F1} s  {block.Lines[0]}");
        }

        Assert.True(sawMigrationLine, "The quick start no longer shows the migration's CreateJobNotificationTriggers line.");
        Assert.NotNull(appOutput);
        Assert.Contains("Sent the welcome mail to ada@example.com", Shell.Text(appOutput), StringComparison.Ordinal);
        output.WriteLine($"quick start: {total.Elapsed.TotalSeconds:F0} s");
    }

    public async Task DisposeAsync()
    {
        foreach (var process in _started)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }

        await using (var server = new NpgsqlConnection(ServerConnectionString))
        {
            await server.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", server);
            await drop.ExecuteNonQueryAsync();
        }

        Directory.Delete(_folder, recursive: true);
    }

    // The variables the README asks for, and a NuGet set-up that reads like a newcomer's machine: packages this test
    // extracts land in its own folder, the machine's folder serves EF Core and the rest read-only.
    private Dictionary<string, string> PrepareEnvironment()
    {
        var machinePackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        // A fallback folder wins over the feed, so an EfJobs package a developer restored from an earlier pack (the
        // same version, older code) would be used instead of the one just packed. Only a local feed of this
        // repository can have put it there.
        foreach (var name in packages.Listed.Where(n => n.EndsWith(".nupkg", StringComparison.Ordinal)))
        {
            var match = PackageFileName().Match(name);
            var stale = Path.Combine(machinePackages, match.Groups["id"].Value.ToLowerInvariant(), match.Groups["version"].Value);
            if (Directory.Exists(stale))
            {
                Directory.Delete(stale, recursive: true);
            }
        }

        var ownPackages = Path.Combine(_folder, ".packages");
        File.WriteAllText(Path.Combine(_folder, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <fallbackPackageFolders>
                <add key="machine" value="{machinePackages}" />
              </fallbackPackageFolders>
            </configuration>
            """);
        return new Dictionary<string, string>
        {
            ["EFJOBS_REPO"] = packages.Root,
            ["ConnectionStrings__App"] = new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = _database }.ConnectionString,
            ["NUGET_PACKAGES"] = ownPackages,
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
        };
    }

    // What the README's curl line does and what the text after it promises: 202 with the job's address, then
    // "Succeeded" at that address.
    private async Task SignUpAndWaitForTheJobAsync(string curl, Process app, StringBuilder appOutput)
    {
        var request = CurlLine().Match(curl);
        Assert.True(request.Success, "Not a curl line the test can send: " + curl);
        var url = new Uri(request.Groups["url"].Value);
        using var http = new HttpClient { BaseAddress = new Uri(url.GetLeftPart(UriPartial.Authority)) };

        await WaitUntilAsync(async () =>
        {
            Assert.False(app.HasExited, "The app exited:\n" + Shell.Text(appOutput));
            try
            {
                await http.GetAsync(new Uri("/", UriKind.Relative));
                return true;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, "the app to listen", appOutput);

        using var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(request.Groups["method"].Value), url));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var job = response.Headers.Location ?? throw new InvalidOperationException("The answer has no Location.");
        Assert.Contains("""{"status":"Succeeded","attemptsCount":1,"lastError":null}""", packages.Readme, StringComparison.Ordinal);

        await WaitUntilAsync(async () =>
        {
            var body = await http.GetStringAsync(job);
            return JsonDocument.Parse(body).RootElement.GetProperty("status").GetString() == "Succeeded";
        }, "the welcome mail job to succeed", appOutput);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, StringBuilder appOutput)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Waited 120 s for {what}. The app's output:\n{Shell.Text(appOutput)}");
            }

            await Task.Delay(200);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"\A// (\S+\.cs)\n")]
    private static partial Regex FileName();

    [GeneratedRegex(@"\A(?<id>.+?)\.(?<version>\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)\.nupkg\z")]
    private static partial Regex PackageFileName();

    [GeneratedRegex(@"\Acurl (?:-i )?-X (?<method>[A-Z]+) '(?<url>[^']+)'\z")]
    private static partial Regex CurlLine();
}
