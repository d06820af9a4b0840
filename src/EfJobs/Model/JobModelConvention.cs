using EfJobs.Queue;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Metadata.Conventions;

namespace EfJobs.Model;

/// <summary>
/// Maps every entity that inherits <see cref="JobBase"/> to IHP's table layout: table <c>&lt;snake_case type&gt;s</c>,
/// IHP's column names, types and defaults, plus two partial indexes IHP lacks.
/// </summary>
/// <remarks>
/// It runs as the model is finalised and configures with convention precedence, so a user's own
/// <c>ToTable</c>, <c>HasColumnName</c> or attributes still win. The payload properties are left alone: they follow
/// the user's own conventions.
/// </remarks>
internal sealed class JobModelConvention : IModelFinalizingConvention
{
    public void ProcessModelFinalizing(IConventionModelBuilder modelBuilder, IConventionContext<IConventionModelBuilder> context)
    {
        modelBuilder.HasAnnotation(JobModelAnnotations.Configured, true);

        // Npgsql lists the labels of a mapped enum alphabetically; IHP's schema declares them in this order, and
        // the order is what ORDER BY status and comparisons use.
        modelBuilder.Metadata.SetAnnotation(JobModelAnnotations.NpgsqlEnumPrefix + JobStatusLabels.EnumName, string.Join(",", JobStatusLabels.All));
        foreach (var entityType in modelBuilder.Metadata.GetEntityTypes().ToList())
        {
            if (!typeof(JobBase).IsAssignableFrom(entityType.ClrType))
            {
                continue;
            }

            if (entityType.ClrType == typeof(JobBase) || entityType.BaseType is not null)
            {
                throw new InvalidOperationException(
                    $"{entityType.DisplayName()} is mapped in an inheritance hierarchy of job types. Each job type needs a table of its own: " +
                    $"inherit {nameof(JobBase)} directly, and do not add {nameof(JobBase)} itself to the model.");
            }

            if (!entityType.IsOwned())
            {
                Configure(entityType.Builder);
            }
        }
    }

    private static void Configure(IConventionEntityTypeBuilder builder)
    {
        var table = SnakeCase.TableNameFor(builder.Metadata.ClrType);
        builder.ToTable(table);

        Column(builder, nameof(JobBase.Id), JobColumns.Id, "uuid", "gen_random_uuid()");
        builder.Metadata.FindProperty(nameof(JobBase.Id))!.Builder.HasValueGenerator(typeof(JobIdGenerator));
        Column(builder, nameof(JobBase.Status), JobColumns.Status, JobStatusLabels.EnumName, $"'{JobStatusLabels.NotStarted}'::{JobStatusLabels.EnumName}", generatedByDatabase: false);
        Column(builder, nameof(JobBase.LastError), JobColumns.LastError, "text", null);
        Column(builder, nameof(JobBase.AttemptsCount), JobColumns.AttemptsCount, "integer", "0", generatedByDatabase: false);
        Column(builder, nameof(JobBase.LockedAt), JobColumns.LockedAt, "timestamp with time zone", null);
        Column(builder, nameof(JobBase.LockedBy), JobColumns.LockedBy, "uuid", null);
        Column(builder, nameof(JobBase.RunAt), JobColumns.RunAt, "timestamp with time zone", "now()");
        Column(builder, nameof(JobBase.CreatedAt), JobColumns.CreatedAt, "timestamp with time zone", "now()");
        Column(builder, nameof(JobBase.UpdatedAt), JobColumns.UpdatedAt, "timestamp with time zone", "now()");

        // Trace context columns only where the type opted in: an IHP-created table, without them, keeps working.
        if (builder.Metadata.FindAnnotation(JobModelAnnotations.TraceContext)?.Value is true)
        {
            Column(builder, nameof(JobBase.TraceParent), JobColumns.TraceParent, "text", null);
            Column(builder, nameof(JobBase.TraceState), JobColumns.TraceState, "text", null);
        }
        else
        {
            builder.Ignore(nameof(JobBase.TraceParent));
            builder.Ignore(nameof(JobBase.TraceState));
        }

        // Index names are per schema and must fit 63 bytes: the same naming rule as the triggers and the channel.
        var tableName = builder.Metadata.GetTableName() ?? table;
        var schema = builder.Metadata.GetSchema();
        Index(builder, [nameof(JobBase.RunAt), nameof(JobBase.CreatedAt)], PgIdentifier.Derive("ix_pending_", schema, tableName), JobIndexFilters.Pending);
        Index(builder, [nameof(JobBase.LockedAt)], PgIdentifier.Derive("ix_running_", schema, tableName), JobIndexFilters.Running);
        builder.HasAnnotation(JobModelAnnotations.NotificationTriggers, true);
    }

    // The defaults are in the schema for IHP and for plain SQL inserts. Status and attempts_count are still written by
    // EF (generatedByDatabase false): their CLR defaults are the right values, and a database-generated enum would
    // make EF warn that NotStarted can never be inserted explicitly.
    private static void Column(IConventionEntityTypeBuilder builder, string propertyName, string column, string storeType, string? defaultSql, bool generatedByDatabase = true)
    {
        var property = builder.Metadata.FindProperty(propertyName)
            ?? throw new InvalidOperationException($"{builder.Metadata.DisplayName()} has no mapped property {propertyName}; job properties must not be ignored.");
        var propertyBuilder = property.Builder;
        propertyBuilder.HasColumnName(column);
        propertyBuilder.HasColumnType(storeType);
        if (defaultSql is not null)
        {
            propertyBuilder.HasDefaultValueSql(defaultSql);
            propertyBuilder.ValueGenerated(generatedByDatabase ? ValueGenerated.OnAdd : ValueGenerated.Never);
            if (!generatedByDatabase && property.ClrType.IsEnum)
            {
                // A sentinel no enum value takes: EF always writes Status, and does not warn that NotStarted (the CLR
                // default) could never be inserted explicitly.
                propertyBuilder.HasSentinel(Enum.ToObject(property.ClrType, -1));
            }
        }
    }

    private static void Index(IConventionEntityTypeBuilder builder, string[] propertyNames, string name, string filter)
    {
        var properties = propertyNames.Select(p => builder.Metadata.FindProperty(p)!).ToList();
        var indexBuilder = builder.HasIndex(properties, name);
        indexBuilder?.HasFilter(filter);
    }
}
