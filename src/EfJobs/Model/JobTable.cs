using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace EfJobs.Model;

/// <summary>Where a job type lives in the database: its table and the names derived from it.</summary>
internal sealed class JobTable
{
    private JobTable(Type jobType, string? schema, string name)
    {
        JobType = jobType;
        Schema = schema;
        Name = name;
        QualifiedName = PgIdentifier.Qualify(schema, name);
        DisplayName = schema is null or "public" ? name : schema + "." + name;
    }

    public Type JobType { get; }

    public string? Schema { get; }

    /// <summary>The table's name, unquoted.</summary>
    public string Name { get; }

    /// <summary>
    /// The name in telemetry and health reports (<c>messaging.destination.name</c>): the table's name, with its schema
    /// when that is not <c>public</c> (<c>billing.invoice_jobs</c>), so two tables of one name stay apart. Unquoted.
    /// </summary>
    public string DisplayName { get; }

    /// <summary>The quoted, schema-qualified name to put into SQL.</summary>
    public string QualifiedName { get; }


    /// <summary>Reads the table of <paramref name="jobType"/> from the model, with an error that says what to add.</summary>
    public static JobTable For(IModel model, Type jobType, Type contextType)
    {
        if (!typeof(JobBase).IsAssignableFrom(jobType) || jobType.IsAbstract)
        {
            throw new ArgumentException($"{jobType.Name} is not a job type: a job type is a non-abstract class that inherits {nameof(JobBase)}.", nameof(jobType));
        }

        var entityType = model.FindEntityType(jobType)
            ?? throw new InvalidOperationException(
                $"The job type {jobType.Name} is not in the model of {contextType.Name}. " +
                $"Add 'public DbSet<{jobType.Name}> {jobType.Name}s => Set<{jobType.Name}>();' to {contextType.Name} " +
                $"(or 'modelBuilder.Entity<{jobType.Name}>();' in OnModelCreating), then add a migration.");

        if (model.FindAnnotation(JobModelAnnotations.Configured) is null)
        {
            throw new InvalidOperationException(
                $"{contextType.Name} is not configured for EfJobs. Call UseEfJobs() in its UseNpgsql options: " +
                "options.UseNpgsql(connectionString, npgsql => npgsql.UseEfJobs()).");
        }

        var name = entityType.GetTableName()
            ?? throw new InvalidOperationException($"The job type {jobType.Name} is not mapped to a table.");
        return new JobTable(jobType, entityType.GetSchema(), name);
    }

    public override string ToString() => QualifiedName;
}
