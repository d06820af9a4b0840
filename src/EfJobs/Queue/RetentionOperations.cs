using EfJobs.Model;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace EfJobs.Queue;

/// <summary>The statement of retention (<see cref="RetentionSql"/>) on a leased context.</summary>
internal static class RetentionOperations
{
    /// <summary>Deletes one batch of finished rows of <paramref name="status"/> that finished before <paramref name="cutoff"/>; returns how many.</summary>
    public static Task<int> PruneBatchAsync(DbContext db, JobTable table, JobStatus status, DateTimeOffset cutoff, int batch, CancellationToken cancellationToken) =>
        PlanCacheRetry.RunAsync(
            async ct =>
            {
                await using var command = new NpgsqlCommand(RetentionSql.PruneBatch(table, JobStatusLabels.ToLabel(status)), (NpgsqlConnection)db.Database.GetDbConnection());
                command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("cutoff", NpgsqlDbType.TimestampTz) { TypedValue = cutoff.ToUniversalTime() });
                command.Parameters.Add(new NpgsqlParameter<int>("batch", batch));
                return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            },
            cancellationToken);
}
