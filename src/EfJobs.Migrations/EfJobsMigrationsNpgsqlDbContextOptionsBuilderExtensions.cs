using EfJobs.Migrations;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure;

namespace Microsoft.EntityFrameworkCore;

/// <summary>Turns on EfJobs' migrations support for a DbContext.</summary>
public static class EfJobsMigrationsNpgsqlDbContextOptionsBuilderExtensions
{
    /// <summary>
    /// Makes migrations install the notification triggers of every job table: <c>dotnet ef migrations add</c> writes
    /// <c>migrationBuilder.CreateJobNotificationTriggers("table")</c> after each new job table (and
    /// <c>DropJobNotificationTriggers</c> when one goes away), and <c>Database.MigrateAsync()</c>,
    /// <c>dotnet ef database update</c> and <c>dotnet ef migrations script</c> turn them into SQL.
    /// </summary>
    /// <example><c>options.UseNpgsql(connectionString, npgsql => npgsql.UseEfJobs().UseEfJobsMigrations());</c></example>
    /// <remarks>
    /// It replaces the context's <see cref="Migrations.IMigrationsSqlGenerator"/> with
    /// <see cref="EfJobsMigrationsSqlGenerator"/>. Use the same options at run time and at design time (in your
    /// IDesignTimeDbContextFactory), or the two disagree about pending model changes.
    /// </remarks>
    /// <param name="npgsql">The builder passed to UseNpgsql's options action.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static NpgsqlDbContextOptionsBuilder UseEfJobsMigrations(this NpgsqlDbContextOptionsBuilder npgsql)
    {
        ArgumentNullException.ThrowIfNull(npgsql);
        var optionsBuilder = ((IRelationalDbContextOptionsBuilderInfrastructure)npgsql).OptionsBuilder;
        ((IDbContextOptionsBuilderInfrastructure)optionsBuilder).AddOrUpdateExtension(
            optionsBuilder.Options.FindExtension<EfJobsMigrationsOptionsExtension>() ?? new EfJobsMigrationsOptionsExtension());
        return npgsql;
    }
}
