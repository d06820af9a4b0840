using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Metadata.Conventions;

namespace EfJobs.Model;

/// <summary>
/// Adds the schedules table of recurring jobs (<see cref="RecurringJobSchedule"/>) to every model configured with
/// UseEfJobs() that has a job type, so migrations install it like any table and nothing creates DDL at run time. Its
/// names and types are fixed (the recurring SQL is hand-written), so they are set with data-annotation precedence: a
/// naming convention plugin does not rename them.
/// </summary>
/// <remarks>
/// It runs as the model is finalised, not when it is created: EF builds other models with the same conventions (the
/// migrations history table's), and only a model with job types is the application's.
/// </remarks>
internal sealed class RecurringJobScheduleConvention : IModelFinalizingConvention
{
    public void ProcessModelFinalizing(IConventionModelBuilder modelBuilder, IConventionContext<IConventionModelBuilder> context)
    {
        if (!modelBuilder.Metadata.GetEntityTypes().Any(e => typeof(JobBase).IsAssignableFrom(e.ClrType)))
        {
            return;
        }

        var builder = modelBuilder.Entity(typeof(RecurringJobSchedule), fromDataAnnotation: true)!;
        builder.ToTable(RecurringJobSchedule.Table, fromDataAnnotation: true);
        Column(builder, nameof(RecurringJobSchedule.Name), "name", "text");
        Column(builder, nameof(RecurringJobSchedule.JobTable), "job_table", "text");
        Column(builder, nameof(RecurringJobSchedule.Cron), "cron", "text");
        Column(builder, nameof(RecurringJobSchedule.TimeZone), "time_zone", "text");
        Column(builder, nameof(RecurringJobSchedule.Since), "since", "timestamp with time zone");
        Column(builder, nameof(RecurringJobSchedule.LastTick), "last_tick", "timestamp with time zone");
        Column(builder, nameof(RecurringJobSchedule.LastJobId), "last_job_id", "uuid");
        Column(builder, nameof(RecurringJobSchedule.Paused), "paused", "boolean");
        Column(builder, nameof(RecurringJobSchedule.Enabled), "enabled", "boolean");
        Column(builder, nameof(RecurringJobSchedule.CreatedAt), "created_at", "timestamp with time zone");
        Column(builder, nameof(RecurringJobSchedule.UpdatedAt), "updated_at", "timestamp with time zone");
        builder.PrimaryKey([nameof(RecurringJobSchedule.Name)], fromDataAnnotation: true)?.HasName("pk_" + RecurringJobSchedule.Table, fromDataAnnotation: true);
    }

    private static void Column(IConventionEntityTypeBuilder builder, string propertyName, string column, string storeType)
    {
        var property = builder.Property(typeof(RecurringJobSchedule).GetProperty(propertyName)!, fromDataAnnotation: true)!;
        property.HasColumnName(column, fromDataAnnotation: true);
        property.HasColumnType(storeType, fromDataAnnotation: true);
        property.IsRequired(propertyName is not (nameof(RecurringJobSchedule.LastTick) or nameof(RecurringJobSchedule.LastJobId)), fromDataAnnotation: true);
        property.ValueGenerated(Microsoft.EntityFrameworkCore.Metadata.ValueGenerated.Never, fromDataAnnotation: true);
    }
}
