using System.Globalization;

namespace EfJobs.Configuration;

/// <summary>
/// How an EfJobs process proves that it is alive without writing anything: it holds a session-level advisory lock
/// on its LISTEN connection. PostgreSQL ends the session of a killed process as soon as its socket closes, and the
/// lock goes with it, so other processes see the death within seconds instead of after <c>StaleJobTimeout</c>; a
/// process that is merely slow keeps its session, its lock and its jobs.
/// </summary>
/// <remarks>
/// Only worker ids that EfJobs generated take part: they begin with <see cref="Prefix"/>, and their last 28 bits are
/// the lock key. Rows locked by any other id (an IHP worker sharing the table, a <c>WorkerId</c> set by the
/// application) are never judged by the lock; for them, and for workers that are connected but silent, the heartbeat
/// and <c>StaleJobTimeout</c> decide as in IHP.
/// </remarks>
internal static class WorkerLiveness
{
    /// <summary>The first group of every worker id EfJobs generates ("ef10b500": EfJobs, no meaning beyond a marker).</summary>
    public const string Prefix = "ef10b500";

    /// <summary>The first key of the two-key advisory lock: the bytes of "EfJb", so no other application's lock collides.</summary>
    public const int LockClass = 0x45664A62;

    /// <summary>A new worker id that takes part in liveness: the marker, then 96 random bits (UUID version 8, RFC 9562).</summary>
    public static Guid NewWorkerId()
    {
        var random = Guid.NewGuid().ToString("D");
        return Guid.Parse(string.Concat(Prefix, random.AsSpan(8, 6), "8", random.AsSpan(15)));
    }

    /// <summary>The advisory lock key of <paramref name="workerId"/>, or null when the id does not take part.</summary>
    public static int? LockKey(Guid workerId)
    {
        var text = workerId.ToString("D");
        return text.StartsWith(Prefix, StringComparison.Ordinal)
            ? int.Parse(text.AsSpan(text.Length - 7), NumberStyles.HexNumber, CultureInfo.InvariantCulture)
            : null;
    }

    /// <summary>Taken once per LISTEN session; shared, so two ids that happen to share a key never wait on each other.</summary>
    public static string AcquireSql(int key) =>
        string.Create(CultureInfo.InvariantCulture, $"SELECT pg_advisory_lock_shared({LockClass}, {key})");
}
