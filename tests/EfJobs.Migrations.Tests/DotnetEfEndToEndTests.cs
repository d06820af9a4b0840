using EfJobs.Migrations.Tests.Infrastructure;
using Npgsql;

namespace EfJobs.Migrations.Tests;

/// <summary>
/// The whole story with the real `dotnet ef` (the repo's tool manifest) on a scratch project that references EfJobs and
/// EfJobs.Migrations by ProjectReference, as a user's project would.
/// </summary>
public sealed class DotnetEfEndToEndTests : IAsyncLifetime
{
    private const string Table = "send_mail_jobs";
    private const string ConnectionVariable = "EFJOBS_SCRATCH_CONNECTION";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "efjobs-migrations-e2e-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly List<ScratchDatabase> _databases = [];

    private string Project => Path.Combine(_folder, "App", "App.csproj");

    private string MigrationsFolder => Path.Combine(_folder, "App", "Migrations");

    [Fact]
    public async Task Migrations_add_writes_the_triggers_database_update_installs_them_and_removing_the_job_drops_them()
    {
        WriteScratchProject(withJob: true);
        await Dotnet(Repository.Root, "tool", "restore");
        await Dotnet(_folder, "restore", Project);

        // migrations add: one readable line per job table, after its CreateTable; the matching drop in Down.
        await Ef("migrations", "add", "Initial");
        var initial = MigrationFile("Initial");
        var up = initial[..initial.IndexOf("void Down", StringComparison.Ordinal)];
        var down = initial[initial.IndexOf("void Down", StringComparison.Ordinal)..];
        Assert.Contains($"migrationBuilder.CreateJobNotificationTriggers(\"{Table}\");", up, StringComparison.Ordinal);
        Assert.True(up.IndexOf("CreateTable(", StringComparison.Ordinal) < up.IndexOf("CreateJobNotificationTriggers", StringComparison.Ordinal));
        Assert.Contains($"migrationBuilder.DropJobNotificationTriggers(\"{Table}\");", down, StringComparison.Ordinal);
        Assert.True(down.IndexOf("DropJobNotificationTriggers", StringComparison.Ordinal) < down.IndexOf("DropTable(", StringComparison.Ordinal));

        // database update installs IHP's triggers; an insert notifies once its transaction commits.
        var cli = await CreateDatabaseAsync();
        await Ef(cli, "database", "update");
        await TriggerAssert.InstalledAsync(cli, Table);
        await AssertInsertNotifiesAfterCommitAsync(cli);

        var pending = await Ef(cli, "migrations", "has-pending-model-changes", "--no-build");
        Assert.Contains("No changes have been made to the model since the last migration", pending, StringComparison.Ordinal);

        // The idempotent script (EF wraps each command in DO $EF$, ours nests DO $efjobs$) runs, twice, on a fresh database.
        var scriptFile = Path.Combine(_folder, "idempotent.sql");
        await Ef(cli, "migrations", "script", "--idempotent", "--no-build", "--output", scriptFile);
        var script = await File.ReadAllTextAsync(scriptFile);
        Assert.Contains("DO $EF$", script, StringComparison.Ordinal);
        Assert.Contains("DO $efjobs$", script, StringComparison.Ordinal);
        var scripted = await CreateDatabaseAsync();
        await RunScriptAsync(scripted, scriptFile);
        await RunScriptAsync(scripted, scriptFile);
        Assert.Equal(await cli.TriggersAsync($"public.{Table}"), await scripted.TriggersAsync($"public.{Table}"));

        // Database.MigrateAsync() in the app gives what the CLI gave.
        var runtime = await CreateDatabaseAsync();
        await Dotnet(_folder, ["run", "--no-build", "--configuration", Repository.Configuration, "--project", Project, "--", "migrate"], runtime);
        Assert.Equal(await cli.TriggersAsync($"public.{Table}"), await runtime.TriggersAsync($"public.{Table}"));
        Assert.Equal(await cli.NotifyFunctionsAsync(), await runtime.NotifyFunctionsAsync());

        // Removing the job type: the next migration drops its triggers and function before the table.
        WriteScratchProject(withJob: false);
        await Ef("migrations", "add", "RemoveJob");
        var removal = MigrationFile("RemoveJob");
        var removalUp = removal[..removal.IndexOf("void Down", StringComparison.Ordinal)];
        Assert.Contains($"migrationBuilder.DropJobNotificationTriggers(\"{Table}\");", removalUp, StringComparison.Ordinal);
        Assert.Contains($"migrationBuilder.CreateJobNotificationTriggers(\"{Table}\");", removal[removalUp.Length..], StringComparison.Ordinal);
        await Ef(cli, "database", "update");
        Assert.Empty(await cli.AllTriggerNamesAsync());
        Assert.Empty(await cli.NotifyFunctionsAsync());
        Assert.Equal(0L, await cli.ScalarAsync<long>($"SELECT count(*) FROM pg_class WHERE relname = '{Table}'"));
    }

    private static async Task AssertInsertNotifiesAfterCommitAsync(ScratchDatabase database)
    {
        await using var listener = await NotificationListener.ListenAsync(database, "job_available_" + Table);
        await using (var connection = await database.OpenAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await using var insert = new NpgsqlCommand($"INSERT INTO {Table} (\"To\") VALUES ('a@example.com')", connection, transaction);
            await insert.ExecuteNonQueryAsync();
            Assert.False(await listener.WaitAsync(TimeSpan.FromMilliseconds(500)), "NOTIFY must wait for the commit");
            await transaction.CommitAsync();
        }

        Assert.True(await listener.WaitAsync(TimeSpan.FromSeconds(5)), "no notification after commit");
        Assert.Equal(["job_available_" + Table], listener.Channels);
    }

    // psql is what a DBA runs the script with; ./test.sh says where it is. Elsewhere Npgsql runs it as one batch.
    private static async Task RunScriptAsync(ScratchDatabase database, string scriptFile)
    {
        var psql = Path.Combine(Environment.GetEnvironmentVariable("EFJOBS_PG_BIN") ?? "/nonexistent", "psql");
        if (!File.Exists(psql))
        {
            await database.ExecuteAsync(await File.ReadAllTextAsync(scriptFile));
            return;
        }

        var connection = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        var environment = new Dictionary<string, string>
        {
            ["PGHOST"] = connection.Host!,
            ["PGPORT"] = connection.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PGUSER"] = connection.Username!,
            ["PGDATABASE"] = connection.Database!,
        };
        if (!string.IsNullOrEmpty(connection.Password))
        {
            environment["PGPASSWORD"] = connection.Password;
        }

        await ProcessRunner.RunAsync(psql, ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", scriptFile], Path.GetTempPath(), environment);
    }

    private async Task<ScratchDatabase> CreateDatabaseAsync()
    {
        var database = await ScratchDatabase.CreateAsync();
        _databases.Add(database);
        return database;
    }

    private string MigrationFile(string name) =>
        File.ReadAllText(Directory.GetFiles(MigrationsFolder, "*_" + name + ".cs").Single());

    private Task<string> Ef(params string[] arguments) => Ef(null, arguments);

    private async Task<string> Ef(ScratchDatabase? database, params string[] arguments)
    {
        // Run from the repository root so `dotnet ef` is the version its tool manifest pins.
        string[] all = ["ef", .. arguments, "--project", Project, "--configuration", Repository.Configuration];
        return await Dotnet(Repository.Root, all, database);
    }

    private static Task<string> Dotnet(string directory, params string[] arguments) => Dotnet(directory, arguments, null);

    private static async Task<string> Dotnet(string directory, string[] arguments, ScratchDatabase? database)
    {
        var environment = new Dictionary<string, string>
        {
            [ConnectionVariable] = database?.ConnectionString ?? "Host=unused.invalid",
        };
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
        return (await ProcessRunner.RunAsync(dotnet, arguments, directory, environment)).Output;
    }

    // A user's project as docs/migrations.md describes it. Empty Directory.*.props stop MSBuild from picking up files
    // above the temp folder; the Design version is the one the repo pins, so the restore comes from the local cache.
    private void WriteScratchProject(bool withJob)
    {
        var app = Path.Combine(_folder, "App");
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(_folder, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(_folder, "Directory.Packages.props"), "<Project />\n");
        File.WriteAllText(Project, $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <InvariantGlobalization>true</InvariantGlobalization>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Microsoft.EntityFrameworkCore.Design" Version="{Repository.PackageVersion("Microsoft.EntityFrameworkCore.Design")}" PrivateAssets="all" />
              </ItemGroup>
              <ItemGroup>
                <ProjectReference Include="{Path.Combine(Repository.Root, "src", "EfJobs", "EfJobs.csproj")}" />
                <ProjectReference Include="{Path.Combine(Repository.Root, "src", "EfJobs.Migrations", "EfJobs.Migrations.csproj")}" />
              </ItemGroup>
            </Project>
            """);

        var job = withJob
            ? """
              public class SendMailJob : JobBase
              {
                  public string To { get; set; } = "";
              }
              """
            : "";
        var dbSet = withJob ? "public DbSet<SendMailJob> SendMailJobs => Set<SendMailJob>();" : "";
        File.WriteAllText(Path.Combine(app, "Program.cs"), $$"""
            using EfJobs;
            using Microsoft.EntityFrameworkCore;
            using Microsoft.EntityFrameworkCore.Design;

            // With a ProjectReference this one line points `dotnet ef` at EfJobs' design-time services (the package's
            // build props add it by themselves).
            [assembly: DesignTimeServicesReference("EfJobs.Migrations.Design.EfJobsDesignTimeServices, EfJobs.Migrations")]

            if (args is ["migrate"])
            {
                await using var db = new ScratchDbContextFactory().CreateDbContext(args);
                await db.Database.MigrateAsync();
            }

            {{job}}

            public class Note
            {
                public int Id { get; set; }
            }

            public class ScratchDbContext(DbContextOptions<ScratchDbContext> options) : DbContext(options)
            {
                {{dbSet}}

                public DbSet<Note> Notes => Set<Note>();
            }

            public class ScratchDbContextFactory : IDesignTimeDbContextFactory<ScratchDbContext>
            {
                public ScratchDbContext CreateDbContext(string[] args) =>
                    new(new DbContextOptionsBuilder<ScratchDbContext>()
                        .UseNpgsql(Environment.GetEnvironmentVariable("{{ConnectionVariable}}"), npgsql => npgsql.UseEfJobs().UseEfJobsMigrations())
                        .Options);
            }
            """);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var database in _databases)
        {
            await database.DisposeAsync();
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless; the test's result is what matters.
        }
    }
}
