using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace EfJobs.Model;

/// <summary>Where a job type lives in the database: its table and the names derived from it.</summary>
internal sealed class JobTable
{
    private JobTable(Type jobType, string? schema, string name, bool flat)
    {
        JobType = jobType;
        IsFlat = flat;
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

    /// <summary>
    /// True when the entity is exactly the table's columns: no navigations (owned types included), no complex
    /// properties (JSON columns included), no other entity type sharing the table and no hierarchy. Such a job is read
    /// straight from the fetch's <c>RETURNING</c>, in the one statement that locks it; any other shape needs an
    /// ordinary EF query after the fetch, which EF cannot compose over a data-modifying statement.
    /// </summary>
    public bool IsFlat { get; }

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
        var schema = entityType.GetSchema();
        var flat = !entityType.GetNavigations().Any()
            && !entityType.GetSkipNavigations().Any()
            && !entityType.GetComplexProperties().Any()
            && entityType.BaseType is null
            && !entityType.GetDerivedTypes().Any()
            && !model.GetEntityTypes().Any(other => other != entityType && other.GetTableName() == name && other.GetSchema() == schema);
        return new JobTable(jobType, schema, name, flat);
    }

    public override string ToString() => QualifiedName;
}
