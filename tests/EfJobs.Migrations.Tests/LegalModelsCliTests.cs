using EfJobs.Migrations.Tests.Infrastructure;
using EfJobs.Migrations.Tests.LegalModels;

namespace EfJobs.Migrations.Tests;

/// <summary>
/// Issue 12 through the real `dotnet ef`: a scratch project compiles the files of <see cref="LegalModelsContext"/>.
/// Design-time options that would write a silently wrong migration make `migrations add` fail with a message naming
/// the missing call or line; the right options write a migration that `database update` applies, whose jobs run, and
/// whose Down (`database update 0`) undoes Up so that the next `database update` works.
/// </summary>
public sealed class LegalModelsCliTests : IAsyncLifetime
{
    private const string ConnectionVariable = "EFJOBS_SCRATCH_CONNECTION";
    private const string Attribute = """[assembly: DesignTimeServicesReference("EfJobs.Migrations.Design.EfJobsDesignTimeServices, EfJobs.Migrations")]""";

    private static readonly string[] ModelFiles = ["LongNameJobs.cs", "BillingInvoiceJob.cs", "CrmInvoiceJob.cs", "OwnedJobs.cs", "LegalModelsContext.cs"];

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "efjobs-legal-models-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly List<ScratchDatabase> _databases = [];

    private string Project => Path.Combine(_folder, "App", "App.csproj");

    private string MigrationsFolder => Path.Combine(_folder, "App", "Migrations");

    [Fact]
    public async Task Wrong_design_time_setups_are_refused_and_the_right_one_migrates_runs_and_rolls_back()
    {
        await Dotnet(Repository.Root, ["tool", "restore"]);

        // No DesignTimeServicesReference line: EF alone would say "cannot scaffold operations of type ...".
        WriteScratchProject(attribute: false, "npgsql => npgsql.UseEfJobs().UseEfJobsMigrations()");
        await Dotnet(_folder, ["restore", Project]);
        var noAttribute = await EfFailsAsync("migrations", "add", "Initial");
        Assert.Contains("DesignTimeServicesReference(\"EfJobs.Migrations.Design.EfJobsDesignTimeServices, EfJobs.Migrations\")", noAttribute, StringComparison.Ordinal);

        // UseEfJobs() without UseEfJobsMigrations(): the migration would have no trigger calls.
        WriteScratchProject(attribute: true, "npgsql => npgsql.UseEfJobs()");
        var noMigrations = await EfFailsAsync("migrations", "add", "Initial");
        Assert.Contains("calls UseEfJobs() but not UseEfJobsMigrations()", noMigrations, StringComparison.Ordinal);

        // No UseEfJobs(): the migration would create plain tables (integer status, no enum, no triggers).
        WriteScratchProject(attribute: true, "npgsql => { }");
        var noEfJobs = await EfFailsAsync("migrations", "add", "Initial");
        Assert.Contains("do not call UseEfJobs()", noEfJobs, StringComparison.Ordinal);
        Assert.Contains("ShipJob", noEfJobs, StringComparison.Ordinal);
        Assert.False(Directory.Exists(MigrationsFolder) && Directory.GetFiles(MigrationsFolder).Length > 0, "a refused migrations add must write nothing");

        // The documented setup.
        WriteScratchProject(attribute: true, "npgsql => npgsql.UseEfJobs().UseEfJobsMigrations()");
        await Ef(null, "migrations", "add", "Initial");
        var migration = File.ReadAllText(Directory.GetFiles(MigrationsFolder, "*_Initial.cs").Single());
        var down = migration[migration.IndexOf("void Down", StringComparison.Ordinal)..];
        Assert.Contains("migrationBuilder.CreateJobNotificationTriggers(\"invoice_jobs\", schema: \"billing\");", migration, StringComparison.Ordinal);
        Assert.Contains("migrationBuilder.CreateJobNotificationTriggers(\"invoice_jobs\", schema: \"crm\");", migration, StringComparison.Ordinal);
        Assert.Contains("migrationBuilder.CreateJobNotificationTriggers(\"customer_subscription_renewal_reminder_notification_sms_jobs\");", migration, StringComparison.Ordinal);
        Assert.Contains(".OldAnnotation(\"Npgsql:Enum:job_status\"", down, StringComparison.Ordinal);

        var database = await ScratchDatabase.CreateAsync();
        _databases.Add(database);
        // Builds: the migration files that `migrations add` wrote are not in the assembly it built before writing them.
        await Ef(database, "database", "update");
        Assert.Equal(["public.job_status"], await database.ListAsync("SELECT n.nspname || '.' || t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.typname = 'job_status'"));
        foreach (var (table, schema) in new[] { ("invoice_jobs", "billing"), ("invoice_jobs", "crm"), ("customer_subscription_renewal_reminder_notification_email_jobs", "public"), ("customer_subscription_renewal_reminder_notification_sms_jobs", "public"), ("ship_jobs", "public") })
        {
            await TriggerAssert.InstalledAsync(database, table, schema);
        }

        await LegalModelTests.RunEveryJobAsync(database);

        // Down undoes Up: no job_status left behind, so updating again works (it failed with 42710 before).
        await Ef(database, "database", "update", "0", "--no-build");
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM pg_type WHERE typname = 'job_status'"));
        await Ef(database, "database", "update", "--no-build");
        Assert.Equal(16L, await database.ScalarAsync<long>("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal"));
    }

    private async Task<string> EfFailsAsync(params string[] arguments)
    {
        var result = await RunEf(null, arguments, check: false);
        Assert.True(result.ExitCode != 0, "dotnet ef succeeded but should have refused:\n" + result.Output);
        return result.Output;
    }

    private async Task Ef(ScratchDatabase? database, params string[] arguments) => await RunEf(database, arguments, check: true);

    private Task<ProcessRunner.Result> RunEf(ScratchDatabase? database, string[] arguments, bool check)
    {
        // Run from the repository root so `dotnet ef` is the version its tool manifest pins.
        string[] all = ["ef", .. arguments, "--project", Project, "--configuration", Repository.Configuration];
        return Dotnet(Repository.Root, all, database, check);
    }

    private static Task<ProcessRunner.Result> Dotnet(string directory, string[] arguments, ScratchDatabase? database = null, bool check = true)
    {
        var environment = new Dictionary<string, string>
        {
            [ConnectionVariable] = database?.ConnectionString ?? "Host=unused.invalid",
        };
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
        return ProcessRunner.RunAsync(dotnet, arguments, directory, environment, check: check);
    }

    // A user's project with the legal models, the design-time factory using the given UseNpgsql options action, and
    // (or not) the DesignTimeServicesReference line that a ProjectReference needs.
    private void WriteScratchProject(bool attribute, string npgsqlOptions)
    {
        var app = Path.Combine(_folder, "App");
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(_folder, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(_folder, "Directory.Packages.props"), "<Project />\n");
        var models = Path.Combine(Repository.Root, "tests", "EfJobs.Migrations.Tests", "LegalModels");
        var compile = string.Join("\n    ", ModelFiles.Select(f => $"<Compile Include=\"{Path.Combine(models, f)}\" />"));
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
              <ItemGroup>
                {compile}
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), $$"""
            using EfJobs.Migrations.Tests.LegalModels;
            using Microsoft.EntityFrameworkCore;
            using Microsoft.EntityFrameworkCore.Design;

            {{(attribute ? Attribute : "")}}

            Console.WriteLine("scratch app");

            public class LegalModelsContextFactory : IDesignTimeDbContextFactory<LegalModelsContext>
            {
                public LegalModelsContext CreateDbContext(string[] args) =>
                    new(new DbContextOptionsBuilder<LegalModelsContext>()
                        .UseNpgsql(Environment.GetEnvironmentVariable("{{ConnectionVariable}}"), {{npgsqlOptions}})
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
