using EfJobs;
using EfJobs.Diagnostics;
using EfJobs.Model;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure;

namespace Microsoft.EntityFrameworkCore;

/// <summary>Turns EfJobs on for a DbContext.</summary>
public static class EfJobsNpgsqlDbContextOptionsBuilderExtensions
{
    /// <summary>
    /// Maps every entity that inherits <see cref="EfJobs.JobBase"/> to IHP's job table layout and maps
    /// <see cref="EfJobs.JobStatus"/> to the PostgreSQL enum <c>job_status</c>. It also checks
    /// <see cref="EfJobs.JobBase.RunAt"/> before SaveChanges: a local time is converted to UTC, an unspecified one is
    /// refused with a message that names the property. A job added while an <c>Activity</c> is current gets an
    /// <c>efjobs.enqueue</c> event on it and, when its type stores it (<c>StoreTraceContext()</c>), its trace context.
    /// </summary>
    /// <example><c>options.UseNpgsql(connectionString, npgsql => npgsql.UseEfJobs());</c></example>
    /// <remarks>
    /// When you pass your own NpgsqlDataSource to UseNpgsql, also map the enum on its builder:
    /// <c>dataSourceBuilder.MapEnum&lt;JobStatus&gt;("job_status", JobStatusLabels.NameTranslator)</c>.
    /// </remarks>
    /// <param name="npgsql">The builder passed to UseNpgsql's options action.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static NpgsqlDbContextOptionsBuilder UseEfJobs(this NpgsqlDbContextOptionsBuilder npgsql)
    {
        ArgumentNullException.ThrowIfNull(npgsql);
        npgsql.MapEnum<EfJobs.JobStatus>(EfJobs.JobStatusLabels.EnumName, nameTranslator: JobStatusNameTranslator.Instance);
        var optionsBuilder = ((IRelationalDbContextOptionsBuilderInfrastructure)npgsql).OptionsBuilder;
        if (optionsBuilder.Options.FindExtension<EfJobsOptionsExtension>() is null)
        {
            // Once per options: RunAt's DateTimeKind is checked (and Local converted) before every SaveChanges.
            // A job added while an activity is current carries its trace context (where its type stores it).
            optionsBuilder.AddInterceptors(JobRunAtInterceptor.Instance, JobTraceContextInterceptor.Instance);
        }

        ((IDbContextOptionsBuilderInfrastructure)optionsBuilder).AddOrUpdateExtension(
            optionsBuilder.Options.FindExtension<EfJobsOptionsExtension>() ?? new EfJobsOptionsExtension());
        return npgsql;
    }
}
