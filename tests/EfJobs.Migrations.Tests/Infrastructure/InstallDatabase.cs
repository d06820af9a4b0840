namespace EfJobs.Migrations.Tests.Infrastructure;

/// <summary>A database with IHP's job_status enum; each install test makes its own minimal job table in it.</summary>
public sealed class InstallDatabase : IAsyncLifetime
{
    public ScratchDatabase Database { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Database = await ScratchDatabase.CreateAsync();
        await Database.ExecuteAsync($"CREATE TYPE job_status AS ENUM ({string.Join(", ", JobStatusLabels.All.Select(ScratchDatabase.Literal))})");
    }

    /// <summary>Creates a job table with just the columns the triggers read; returns its name as the server stores it.</summary>
    public async Task CreateJobTableAsync(string table)
    {
        await Database.ExecuteAsync($"""
            CREATE TABLE "{table.Replace("\"", "\"\"", StringComparison.Ordinal)}" (
              id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
              status job_status NOT NULL DEFAULT 'job_status_not_started')
            """);
    }

    public async Task DisposeAsync() => await Database.DisposeAsync();
}
