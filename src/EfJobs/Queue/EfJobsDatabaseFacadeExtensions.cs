using EfJobs;
using EfJobs.Notifications;
using EfJobs.Queue;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Microsoft.EntityFrameworkCore;

/// <summary>Creates the job tables and their notification triggers without migrations, for tests and tools.</summary>
public static class EfJobsDatabaseFacadeExtensions
{
    /// <summary>
    /// EF's <see cref="DatabaseFacade.EnsureCreatedAsync(CancellationToken)"/>, then the notification triggers of
    /// every job table in the model: what a test, a benchmark or a throwaway tool needs to run EfJobs against a
    /// fresh database without <c>dotnet ef</c>.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Like EnsureCreated, this is not for databases that migrations manage: it bypasses them, and a database it
    /// created cannot be migrated later. Applications use <c>dotnet ef database update</c> (or
    /// <c>Database.MigrateAsync()</c>), whose migrations install the same triggers.
    /// </para>
    /// <para>
    /// EnsureCreated creates nothing when the database already has tables; the triggers are installed anyway, for
    /// every job table that lacks them, with the same SQL as migrations (<see cref="NotificationTriggerSql.Create"/>),
    /// so calling this twice is harmless. It needs the rights to create tables, functions and triggers.
    /// </para>
    /// </remarks>
    /// <param name="database">The context's database, <c>db.Database</c>; the context must be configured with <c>UseEfJobs()</c>.</param>
    /// <param name="cancellationToken">Cancels the work between statements.</param>
    /// <returns>True when EnsureCreated created the database or its tables, false when they existed already.</returns>
    /// <exception cref="InvalidOperationException">The context is not configured with <c>UseEfJobs()</c>.</exception>
    public static async Task<bool> EnsureJobsCreatedAsync(this DatabaseFacade database, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        var created = await database.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);

        var db = database.GetService<ICurrentDbContext>().Context;
        var jobTypes = db.Model.GetEntityTypes()
            .Select(e => e.ClrType)
            .Where(type => typeof(JobBase).IsAssignableFrom(type) && !type.IsAbstract);
        foreach (var jobType in jobTypes)
        {
            var table = JobTables.Get(db, jobType);
            await database.ExecuteSqlRawAsync(NotificationTriggerSql.Create(table.Name, table.Schema), cancellationToken).ConfigureAwait(false);
        }

        return created;
    }
}
