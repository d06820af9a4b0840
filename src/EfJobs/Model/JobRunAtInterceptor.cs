using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace EfJobs.Model;

/// <summary>
/// Checks <see cref="JobBase.RunAt"/> of the jobs being saved (added by UseEfJobs()). Npgsql writes only UTC values
/// to <c>timestamptz</c> and refuses others with a message that names neither the job nor the property.
/// </summary>
/// <remarks>
/// A Local value is an exact instant: it is converted to UTC. An Unspecified value is refused, because EfJobs cannot
/// know which instant it meant; the default value (unset: the database's <c>now()</c>) is left alone.
/// </remarks>
internal sealed class JobRunAtInterceptor : SaveChangesInterceptor
{
    public static readonly JobRunAtInterceptor Instance = new();

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Check(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Check(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private static void Check(DbContext? context)
    {
        if (context is null)
        {
            return;
        }

        foreach (var entry in context.ChangeTracker.Entries<JobBase>())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified))
            {
                continue;
            }

            var runAt = entry.Entity.RunAt;
            if (runAt == default)
            {
                continue;
            }

            if (runAt.Kind == DateTimeKind.Local)
            {
                entry.Entity.RunAt = runAt.ToUniversalTime();
            }
            else if (runAt.Kind == DateTimeKind.Unspecified)
            {
                throw new InvalidOperationException(
                    $"{entry.Metadata.DisplayName()}.{nameof(JobBase.RunAt)} is {runAt:O} with DateTimeKind.Unspecified, so EfJobs cannot tell which instant it is. " +
                    $"Set {nameof(JobBase.RunAt)} to a UTC time: DateTime.UtcNow.AddMinutes(5), DateTime.SpecifyKind(value, DateTimeKind.Utc) when the value is UTC, " +
                    "or value.ToUniversalTime() when it is local time.");
            }
        }
    }
}
