using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace EfJobs.Migrations.Tests.Infrastructure;

/// <summary>
/// A context's initial migration as `dotnet ef migrations add` computes it (the context's own differ, so with EfJobs'
/// operations) and as `dotnet ef database update` runs it (the context's own SQL generator), without the C# file in
/// between: the CLI test covers that step.
/// </summary>
public static class ModelMigration
{
    /// <summary>Runs the Up of the context's initial migration.</summary>
    public static Task UpAsync(DbContext db) => RunAsync(db, up: true);

    /// <summary>Runs the Down of the context's initial migration.</summary>
    public static Task DownAsync(DbContext db) => RunAsync(db, up: false);

    private static async Task RunAsync(DbContext db, bool up)
    {
        var model = db.GetService<IDesignTimeModel>().Model.GetRelationalModel();
        var differ = db.GetService<IMigrationsModelDiffer>();
        var operations = up ? differ.GetDifferences(null, model) : differ.GetDifferences(model, null);
        var commands = db.GetService<IMigrationsSqlGenerator>().Generate(operations, db.Model);
        await db.GetService<IMigrationCommandExecutor>().ExecuteNonQueryAsync(commands, db.GetService<IRelationalConnection>());

        // As Npgsql's migrator does: the data source loaded its types before job_status existed (or went away).
        await db.Database.OpenConnectionAsync();
        await ((NpgsqlConnection)db.Database.GetDbConnection()).ReloadTypesAsync();
        await db.Database.CloseConnectionAsync();
    }
}
