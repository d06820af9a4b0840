using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace EfJobs.Diagnostics;

/// <summary>
/// Before SaveChanges, for each job being added while an activity is current: stores the activity's W3C trace
/// context in the job's <see cref="JobBase.TraceParent"/> and <see cref="JobBase.TraceState"/> (when its type maps
/// them and they are still empty) and adds an <c>efjobs.enqueue</c> event to the activity. Added by UseEfJobs(); with
/// no current activity it costs one check.
/// </summary>
internal sealed class JobTraceContextInterceptor : SaveChangesInterceptor
{
    public static readonly JobTraceContextInterceptor Instance = new();

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Stamp(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Stamp(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private static void Stamp(DbContext? context)
    {
        if (Activity.Current is not { } current || context is null)
        {
            return;
        }

        var traceParent = current.IdFormat == ActivityIdFormat.W3C ? current.Id : null;
        foreach (var entry in context.ChangeTracker.Entries<JobBase>())
        {
            if (entry.State != EntityState.Added)
            {
                continue;
            }

            var job = entry.Entity;
            if (traceParent is not null && job.TraceParent is null && entry.Metadata.FindProperty(nameof(JobBase.TraceParent)) is not null)
            {
                job.TraceParent = traceParent;
                job.TraceState = current.TraceStateString;
            }

            if (current.IsAllDataRequested)
            {
                current.AddEvent(new ActivityEvent(SemanticConventions.EnqueueEvent, tags: new ActivityTagsCollection
                {
                    [SemanticConventions.MessagingSystem] = EfJobsTelemetry.MessagingSystem,
                    [SemanticConventions.DestinationName] = entry.Metadata.GetSchema() is { } schema and not "public"
                        ? schema + "." + entry.Metadata.GetTableName()
                        : entry.Metadata.GetTableName(),
                    [SemanticConventions.MessageId] = job.Id.ToString(),
                }));
            }
        }
    }
}
