using EfJobs.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations.Design;

namespace EfJobs.Migrations.Design;

/// <summary>
/// EF's migrations scaffolder, refusing to write a migration that would silently miss EfJobs' schema: job types in a
/// context whose design-time options lack <c>UseEfJobs()</c> (plain tables: an integer status, no job_status enum,
/// no defaults, no triggers) or <c>UseEfJobsMigrations()</c> (no trigger calls). <c>dotnet ef migrations add</c> then
/// fails with a message naming the missing call instead.
/// </summary>
/// <param name="dependencies">EF's dependencies of the scaffolder.</param>
public class EfJobsMigrationsScaffolder(MigrationsScaffolderDependencies dependencies) : MigrationsScaffolder(dependencies)
{
    /// <inheritdoc />
    public override ScaffoldedMigration ScaffoldMigration(string migrationName, string? rootNamespace, string? subNamespace = null, string? language = null, bool dryRun = false)
    {
        var context = Dependencies.CurrentContext.Context;
        var jobTypes = context.Model.GetEntityTypes()
            .Where(e => typeof(JobBase).IsAssignableFrom(e.ClrType))
            .Select(e => e.ClrType.Name)
            .Order(StringComparer.Ordinal)
            .ToList();
        if (jobTypes.Count > 0)
        {
            var contextName = context.GetType().Name;
            const string Fix = "options.UseNpgsql(connectionString, npgsql => npgsql.UseEfJobs().UseEfJobsMigrations())";
            if (context.Model.FindAnnotation(JobModelAnnotations.Configured) is null)
            {
                throw new InvalidOperationException(
                    $"EfJobs: {contextName} has job types ({string.Join(", ", jobTypes)}) but the options dotnet ef created it with do not call UseEfJobs(), " +
                    "so this migration would create plain tables without IHP's job_status enum, defaults, indexes or notification triggers. " +
                    $"Call UseEfJobs().UseEfJobsMigrations() where dotnet ef gets {contextName} (your IDesignTimeDbContextFactory, or AddDbContext): {Fix}.");
            }

            if (context.GetService<IDbContextOptions>().FindExtension<EfJobsMigrationsOptionsExtension>() is null)
            {
                throw new InvalidOperationException(
                    $"EfJobs: {contextName} calls UseEfJobs() but not UseEfJobsMigrations() in the options dotnet ef created it with, " +
                    $"so this migration would not install the notification triggers of {string.Join(", ", jobTypes)} and the runner would fall back to polling. " +
                    $"Call UseEfJobsMigrations() after UseEfJobs() where dotnet ef gets {contextName} (your IDesignTimeDbContextFactory, or AddDbContext): {Fix}.");
            }
        }

        return base.ScaffoldMigration(migrationName, rootNamespace, subNamespace, language, dryRun);
    }
}
