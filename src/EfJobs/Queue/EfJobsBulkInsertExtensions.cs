using EfJobs;
using EfJobs.Model;
using EfJobs.Queue;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;

namespace Microsoft.EntityFrameworkCore;

/// <summary>Enqueues many jobs at once with PostgreSQL's binary COPY, in the context's transaction.</summary>
public static class EfJobsBulkInsertExtensions
{
    // The queue's own columns take their database defaults (IHP's schema): a new job is not started, has no attempt,
    // no lock and no error, and is stamped by the server. Id and run_at are written, as SaveChanges writes them.
    private static readonly HashSet<string> QueueManaged =
    [
        nameof(JobBase.Status), nameof(JobBase.LastError), nameof(JobBase.AttemptsCount), nameof(JobBase.LockedAt),
        nameof(JobBase.LockedBy), nameof(JobBase.CreatedAt), nameof(JobBase.UpdatedAt),
    ];

    /// <summary>
    /// Inserts <paramref name="jobs"/> with one binary <c>COPY ... FROM STDIN</c> on the context's connection: the bulk
    /// form of <c>db.AddRange(jobs); db.SaveChangesAsync()</c> (River's <c>InsertManyFast</c>), for thousands of jobs
    /// at once. Inside a transaction begun on the context (<c>db.Database.BeginTransactionAsync()</c>) the jobs commit
    /// or roll back with the caller's work; without one the COPY commits on its own, all rows or none.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Each job gets a time-ordered id when its <see cref="JobBase.Id"/> is empty (as SaveChanges does), and its
    /// <see cref="JobBase.RunAt"/> when set (UTC or Local; an unset one becomes the transaction's <c>now()</c>, the
    /// column's default). The queue's other columns take their defaults: not started, no attempt, no lock. The payload
    /// properties are written with their EF value converters. The jobs are not tracked and their other properties are
    /// not read back.
    /// </para>
    /// <para>
    /// The table's notification trigger fires once for the COPY statement, so an idle runner wakes once per bulk, not
    /// once per job. Only a job type that is exactly its table's columns can be copied: one with owned types, complex
    /// or JSON properties, navigations or a shared table is refused; add those with <c>AddRange</c>.
    /// </para>
    /// </remarks>
    /// <typeparam name="TJob">The job type; its table must be in the context's model.</typeparam>
    /// <param name="db">A context configured with <c>UseEfJobs()</c>.</param>
    /// <param name="jobs">The jobs to enqueue; may be empty.</param>
    /// <param name="cancellationToken">Cancels the COPY; rows not yet committed are not inserted.</param>
    /// <returns>How many rows the COPY wrote.</returns>
    /// <exception cref="NotSupportedException">The job type is not a flat mapping of its table.</exception>
    /// <exception cref="InvalidOperationException">A job's <see cref="JobBase.RunAt"/> has <see cref="DateTimeKind.Unspecified"/>.</exception>
    public static async Task<long> BulkInsertJobsAsync<TJob>(this DbContext db, IEnumerable<TJob> jobs, CancellationToken cancellationToken = default)
        where TJob : JobBase
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(jobs);
        var table = JobTables.Get<TJob>(db);
        if (!table.IsFlat)
        {
            throw new NotSupportedException(
                $"{typeof(TJob).Name} has owned types, complex or JSON properties, navigations or a shared table, which a COPY of {table.QualifiedName} cannot write. Enqueue it with db.AddRange(jobs) and SaveChangesAsync().");
        }

        var entityType = db.Model.FindEntityType(typeof(TJob))!;
        var store = StoreObjectIdentifier.Table(table.Name, table.Schema);
        var payload = entityType.GetProperties()
            .Where(p => !QueueManaged.Contains(p.Name) && p.Name is not (nameof(JobBase.Id) or nameof(JobBase.RunAt)))
            .Select(p => (Property: p, Column: p.GetColumnName(store)!, Type: p.GetColumnType(store), Converter: p.GetTypeMapping().Converter))
            .ToArray();
        var idColumn = entityType.FindProperty(nameof(JobBase.Id))!.GetColumnName(store)!;
        var runAtColumn = entityType.FindProperty(nameof(JobBase.RunAt))!.GetColumnName(store)!;
        var columns = string.Join(", ", new[] { idColumn, runAtColumn }.Concat(payload.Select(p => p.Column)).Select(PgIdentifier.Quote));

        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened)
        {
            await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            // The transaction's start time, which is what the run_at column's default now() would give these rows.
            DateTime now;
            await using (var command = new NpgsqlCommand("SELECT now()", connection))
            {
                now = (DateTime)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            }

            await using var importer = await connection.BeginBinaryImportAsync($"COPY {table.QualifiedName} ({columns}) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
            foreach (var job in jobs)
            {
                if (job.Id == Guid.Empty)
                {
                    job.Id = Guid.CreateVersion7();
                }

                await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(job.Id, NpgsqlTypes.NpgsqlDbType.Uuid, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(RunAt(job, now), NpgsqlTypes.NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
                foreach (var (property, _, type, converter) in payload)
                {
                    var value = property.GetGetter().GetClrValueUsingContainingEntity(job);
                    if (converter is not null && value is not null)
                    {
                        value = converter.ConvertToProvider(value);
                    }

                    if (value is null)
                    {
                        await importer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        await importer.WriteAsync(value, type!, cancellationToken).ConfigureAwait(false);
                    }
                }
            }

            return (long)await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (opened)
            {
                await db.Database.CloseConnectionAsync().ConfigureAwait(false);
            }
        }
    }

    private static DateTime RunAt(JobBase job, DateTime now) => job.RunAt switch
    {
        { Kind: DateTimeKind.Utc } runAt when runAt != default => runAt,
        { Kind: DateTimeKind.Local } runAt => runAt.ToUniversalTime(),
        var runAt when runAt == default => now,
        _ => throw new InvalidOperationException(
            $"{job.GetType().Name} {job.Id} has a RunAt of DateTimeKind.Unspecified ({job.RunAt:O}), which could be any instant. Set it from DateTime.UtcNow, or with DateTime.SpecifyKind(value, DateTimeKind.Utc)."),
    };
}
