using EfJobs.Migrations.Operations;
using EfJobs.Model;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;

namespace EfJobs.Migrations;

/// <summary>
/// Wraps the provider's model differ and adds the notification trigger operations of job tables: a table that is a
/// job table in the target model but not in the source gets <see cref="CreateJobNotificationTriggersOperation"/>, and
/// the other way round <see cref="DropJobNotificationTriggersOperation"/>. A job table is one whose entity type
/// carries the <c>EfJobs:NotificationTriggers</c> annotation (set by UseEfJobs(), kept in the model snapshot).
/// </summary>
/// <remarks>
/// It wraps the public <see cref="IMigrationsModelDiffer"/> instead of deriving from EF's internal MigrationsModelDiffer,
/// so EF upgrades do not break it. Because the runtime and the tools resolve the differ from the DbContext, both
/// <c>migrations add</c> and <c>has-pending-model-changes</c> (and the pending-changes check of Migrate) see the
/// same differences. A renamed or re-schema'd job table is a different name to the triggers: drop old, create new.
/// </remarks>
internal sealed class JobNotificationModelDiffer(IMigrationsModelDiffer inner) : IMigrationsModelDiffer
{
    public IMigrationsModelDiffer Inner { get; } = inner;

    public bool HasDifferences(IRelationalModel? source, IRelationalModel? target) =>
        Inner.HasDifferences(source, target) || !JobTables(source).SetEquals(JobTables(target));

    public IReadOnlyList<MigrationOperation> GetDifferences(IRelationalModel? source, IRelationalModel? target)
    {
        var operations = WithJobStatusDrop(source, target, Inner.GetDifferences(source, target));
        var before = JobTables(source);
        var after = JobTables(target);
        var removed = before.Where(t => !after.Contains(t)).OrderBy(t => t.Schema, StringComparer.Ordinal).ThenBy(t => t.Table, StringComparer.Ordinal).ToList();
        var added = after.Where(t => !before.Contains(t)).ToHashSet();
        if (removed.Count == 0 && added.Count == 0)
        {
            return operations;
        }

        RequireDesignTimeServices();

        // Drops come first, while every source table still has its old name and schema (before any DropTable or
        // RenameTable). Creates follow the CreateTable of their table, so a migration reads table by table; the
        // triggers of a table that already existed (renamed, or newly a job table) go last, once it has its new name.
        var result = new List<MigrationOperation>(operations.Count + removed.Count + added.Count);
        result.AddRange(removed.Select(t => new DropJobNotificationTriggersOperation { Table = t.Table, Schema = t.Schema }));
        foreach (var operation in operations)
        {
            result.Add(operation);
            if (operation is CreateTableOperation createTable && added.Remove(new JobTableName(createTable.Name, createTable.Schema)))
            {
                result.Add(new CreateJobNotificationTriggersOperation { Table = createTable.Name, Schema = createTable.Schema });
            }
        }

        result.AddRange(added.OrderBy(t => t.Schema, StringComparer.Ordinal).ThenBy(t => t.Table, StringComparer.Ordinal)
            .Select(t => new CreateJobNotificationTriggersOperation { Table = t.Table, Schema = t.Schema }));
        return result;
    }

    // The Down of an initial migration diffs the model against nothing, and EF's differ then emits no AlterDatabase, so
    // the job_status enum that Up created would stay behind and the next Up fail with 42710 "type job_status already
    // exists". Down must undo what Up did: drop the enum after the tables that use it.
    private static IReadOnlyList<MigrationOperation> WithJobStatusDrop(IRelationalModel? source, IRelationalModel? target, IReadOnlyList<MigrationOperation> operations)
    {
        var key = JobModelAnnotations.NpgsqlEnumPrefix + JobStatusLabels.EnumName;
        if (target is not null || source?.FindAnnotation(key) is not { } annotation || operations.Any(o => o is AlterDatabaseOperation))
        {
            return operations;
        }

        var drop = new AlterDatabaseOperation();
        drop.OldDatabase.AddAnnotation(key, annotation.Value);
        return [.. operations, drop];
    }

    // Without EfJobsDesignTimeServices, dotnet ef cannot write the operations and says only "cannot scaffold operations
    // of type ...". Under the tools (the Design assembly is loaded) and without those services, name the missing line.
    private static void RequireDesignTimeServices()
    {
        if (DesignTimeServicesState.Configured
            || !AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == "Microsoft.EntityFrameworkCore.Design"))
        {
            return;
        }

        throw new InvalidOperationException(
            "EfJobs: dotnet ef cannot write the notification triggers of job tables into this migration: EfJobs' design-time services are not referenced. " +
            "Add this line once to the project that holds the DbContext (the EfJobs.Migrations package adds it for you; a ProjectReference does not): " +
            "[assembly: Microsoft.EntityFrameworkCore.Design.DesignTimeServicesReference(\"" + Design.EfJobsDesignTimeServices.TypeName + "\")]");
    }

    /// <summary>The tables of a model that carry notification triggers.</summary>
    internal static HashSet<JobTableName> JobTables(IRelationalModel? model)
    {
        var tables = new HashSet<JobTableName>();
        if (model is null)
        {
            return tables;
        }

        foreach (var table in model.Tables)
        {
            if (table.EntityTypeMappings.Any(m => m.TypeBase.FindAnnotation(JobModelAnnotations.NotificationTriggers)?.Value is true))
            {
                tables.Add(new JobTableName(table.Name, table.Schema));
            }
        }

        return tables;
    }
}
