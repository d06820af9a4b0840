using System.Data.Common;
using EfJobs.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace EfJobs.Queue;

/// <summary>The statements of recurring jobs (<see cref="RecurringJobSql"/>) on a leased context.</summary>
internal static class RecurringJobOperations
{
    /// <summary>The quoted, schema-qualified name of the schedules table in this context's model.</summary>
    public static string SchedulesTable(DbContext db)
    {
        var entity = db.Model.FindEntityType(typeof(RecurringJobSchedule))
            ?? throw new InvalidOperationException($"{db.GetType().Name} is not configured for EfJobs: call UseEfJobs() in its UseNpgsql options.");
        return PgIdentifier.Qualify(entity.GetSchema(), entity.GetTableName() ?? RecurringJobSchedule.Table);
    }

    /// <summary>Upserts the declared schedules and disables the others, in one transaction.</summary>
    public static async Task<int> DeclareAsync(DbContext db, IReadOnlyList<(string Name, string JobTable, string Cron, string TimeZone)> schedules, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var table = SchedulesTable(db);
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(
            async ct =>
            {
                await using var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
                var changed = 0;
                foreach (var (name, jobTable, cron, timeZone) in schedules)
                {
                    changed += await ExecuteAsync(db, transaction, RecurringJobSql.Upsert(table), ct,
                        Text("name", name), Text("job_table", jobTable), Text("cron", cron), Text("time_zone", timeZone), Time("now", now)).ConfigureAwait(false);
                }

                await ExecuteAsync(db, transaction, RecurringJobSql.DisableUndeclared(table), ct,
                    new NpgsqlParameter<string[]>("names", [.. schedules.Select(s => s.Name)])).ConfigureAwait(false);
                await transaction.CommitAsync(ct).ConfigureAwait(false);
                return changed;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The rows of the named schedules (all rows when <paramref name="names"/> is null), not tracked.</summary>
    public static async Task<List<RecurringJobSchedule>> ReadAsync(DbContext db, IReadOnlyCollection<string>? names, CancellationToken cancellationToken)
    {
        var query = db.Set<RecurringJobSchedule>().AsNoTracking();
        if (names is not null)
        {
            query = query.Where(s => names.Contains(s.Name));
        }

        return await query.OrderBy(s => s.Name).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Claims <paramref name="tick"/> of a schedule and, when the claim says so, inserts the job
    /// <paramref name="createJob"/> makes, in one transaction (<see cref="RecurringJobSql.ClaimTick"/>). With
    /// <paramref name="createJob"/> null the tick is claimed without a job.
    /// </summary>
    /// <returns>Null when another process claimed the tick (or a later one) first, or the row does not allow it; otherwise the id of the job inserted, or <see cref="Guid.Empty"/> for a tick claimed without one.</returns>
    public static async Task<Guid?> ClaimTickAsync(
        DbContext db, string name, string cron, string timeZone, JobTable jobTable, DateTimeOffset tick, bool skipOverlap, Func<JobBase>? createJob, CancellationToken cancellationToken)
    {
        var table = SchedulesTable(db);
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(
            async ct =>
            {
                db.ChangeTracker.Clear();
                var jobId = createJob is null ? (Guid?)null : Guid.CreateVersion7();
                await using var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
                await using var command = Command(db, transaction, RecurringJobSql.ClaimTick(table, jobTable.QualifiedName),
                    Text("name", name), Text("cron", cron), Text("time_zone", timeZone), Time("tick", tick),
                    new NpgsqlParameter("job_id", NpgsqlDbType.Uuid) { Value = jobId is { } id ? id : DBNull.Value },
                    new NpgsqlParameter<bool>("skip_overlap", skipOverlap));
                var result = await command.ExecuteScalarAsync(ct).ConfigureAwait(false);
                if (result is not bool insert)
                {
                    return (Guid?)null;
                }

                if (insert)
                {
                    var job = createJob!();
                    job.Id = jobId!.Value;
                    db.Add(job);
                    await db.SaveChangesAsync(ct).ConfigureAwait(false);
                }

                await transaction.CommitAsync(ct).ConfigureAwait(false);
                return insert ? jobId : Guid.Empty;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Inserts a job of a schedule now and records it as the schedule's last job, in one transaction; false when the schedule has no row.</summary>
    public static async Task<bool> RunNowAsync(DbContext db, string name, JobBase job, CancellationToken cancellationToken)
    {
        var table = SchedulesTable(db);
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(
            async ct =>
            {
                db.ChangeTracker.Clear();
                await using var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
                if (job.Id == Guid.Empty)
                {
                    job.Id = Guid.CreateVersion7();
                }

                var updated = await ExecuteAsync(db, transaction, RecurringJobSql.RecordRunNow(table), ct,
                    Text("name", name), new NpgsqlParameter<Guid>("job_id", job.Id)).ConfigureAwait(false);
                if (updated == 0)
                {
                    return false;
                }

                db.Add(job);
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                await transaction.CommitAsync(ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Pauses or resumes a schedule; false when it has no row.</summary>
    public static async Task<bool> SetPausedAsync(DbContext db, string name, bool paused, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = Command(db, null, RecurringJobSql.SetPaused(SchedulesTable(db)),
            Text("name", name), new NpgsqlParameter<bool>("paused", paused), Time("now", now));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    private static async Task<int> ExecuteAsync(DbContext db, IDbContextTransaction? transaction, string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await using var command = Command(db, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static NpgsqlCommand Command(DbContext db, IDbContextTransaction? transaction, string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlCommand(sql, (NpgsqlConnection)db.Database.GetDbConnection());
        if (transaction is not null)
        {
            command.Transaction = (NpgsqlTransaction)transaction.GetDbTransaction();
        }

        command.Parameters.AddRange(parameters);
        return command;
    }

    private static NpgsqlParameter<string> Text(string name, string value) => new(name, NpgsqlDbType.Text) { TypedValue = value };

    private static NpgsqlParameter<DateTimeOffset> Time(string name, DateTimeOffset value) => new(name, NpgsqlDbType.TimestampTz) { TypedValue = value.ToUniversalTime() };
}
