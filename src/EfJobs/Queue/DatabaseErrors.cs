using System.Data.Common;
using Npgsql;

namespace EfJobs.Queue;

/// <summary>
/// Classifies an exception of a queue statement by what it is, walking the inner exceptions: EF's execution strategy
/// and EF's query pipeline wrap Npgsql's errors in <see cref="InvalidOperationException"/>, so the outer type says
/// little. Anything that is not a database error nor a cancellation came from reading rows into the entity.
/// </summary>
internal static class DatabaseErrors
{
    public static DatabaseErrorKind Classify(Exception exception, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested && exception is OperationCanceledException)
        {
            return DatabaseErrorKind.Cancelled;
        }

        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case PostgresException postgres:
                    return postgres.SqlState switch
                    {
                        PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.UndefinedObject => DatabaseErrorKind.SchemaMissing,
                        _ when postgres.IsTransient => DatabaseErrorKind.Unavailable,
                        // Class 08 (connection), 57P (operator intervention: shutdown, admin terminate), 53 (resources).
                        _ when postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
                            || postgres.SqlState.StartsWith("57P", StringComparison.Ordinal)
                            || postgres.SqlState.StartsWith("53", StringComparison.Ordinal) => DatabaseErrorKind.Unavailable,
                        _ => DatabaseErrorKind.Rejected,
                    };
                case NpgsqlException:
                case DbException:
                case TimeoutException:
                case System.Net.Sockets.SocketException:
                case IOException:
                    return DatabaseErrorKind.Unavailable;
                case OperationCanceledException:
                    return DatabaseErrorKind.Cancelled;
            }
        }

        // Npgsql names a type it did not load when the connection opened (job_status created after the app started).
        if (IsUnknownType(exception))
        {
            return DatabaseErrorKind.SchemaMissing;
        }

        return DatabaseErrorKind.Unreadable;
    }

    /// <summary>Npgsql's error for a PostgreSQL type it has not loaded; reloading the types cures it.</summary>
    public static bool IsUnknownType(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is ArgumentException or InvalidCastException or NotSupportedException or InvalidOperationException
                && current.Message.Contains(JobStatusLabels.EnumName, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
