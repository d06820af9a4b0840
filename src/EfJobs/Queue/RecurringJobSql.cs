namespace EfJobs.Queue;

/// <summary>
/// The SQL of recurring jobs, against the schedules table (<see cref="Model.RecurringJobSchedule"/>). The one
/// guarantee, one job per (schedule, tick) across any number of processes with no leader, is
/// <see cref="ClaimTick"/>: a compare-and-set on the schedule's last tick, committed in the same transaction as the
/// job's INSERT (graphile-worker's known_crontabs design). It holds however long job rows are kept, because it lives
/// on the schedule's row, not on the jobs.
/// </summary>
internal static class RecurringJobSql
{
    /// <summary>
    /// Declares one schedule at start (@name, @job_table, @cron, @time_zone, @now): an upsert, never a
    /// read-then-insert, so processes starting together cannot both insert. A new, changed or re-enabled definition
    /// starts at @now (<c>since</c>): ticks of the old cron, or of the time the schedule was removed, are not caught
    /// up. An unchanged definition writes nothing (the WHERE of DO UPDATE), so a restart keeps last_tick and the
    /// ticks missed while every process was down are handled by the misfire policy.
    /// </summary>
    public static string Upsert(string schedules) => $"""
        INSERT INTO {schedules} AS s (name, job_table, cron, time_zone, since, last_tick, last_job_id, paused, enabled, created_at, updated_at)
        VALUES (@name, @job_table, @cron, @time_zone, @now, NULL, NULL, false, true, now(), now())
        ON CONFLICT (name) DO UPDATE SET
          job_table = EXCLUDED.job_table,
          cron = EXCLUDED.cron,
          time_zone = EXCLUDED.time_zone,
          since = CASE WHEN s.cron <> EXCLUDED.cron OR s.time_zone <> EXCLUDED.time_zone OR NOT s.enabled
                       THEN GREATEST(s.since, EXCLUDED.since) ELSE s.since END,
          enabled = true,
          updated_at = now()
        WHERE s.job_table <> EXCLUDED.job_table OR s.cron <> EXCLUDED.cron OR s.time_zone <> EXCLUDED.time_zone OR NOT s.enabled
        """;

    /// <summary>
    /// Disables the schedules this process does not declare (@names): a schedule removed from code stops making
    /// jobs once a process with the new code starts; its row stays, with its history, until an operator deletes it.
    /// </summary>
    public static string DisableUndeclared(string schedules) => $"""
        UPDATE {schedules} SET enabled = false, updated_at = now()
         WHERE enabled AND name <> ALL(@names)
        """;

    /// <summary>
    /// Claims one tick (@tick) of a schedule (@name) as this process declares it (@cron, @time_zone): succeeds only
    /// while the row's last_tick is older than @tick, so of all processes that try the same tick exactly one gets a
    /// row back. A concurrent claimer waits on the row lock and, once the winner commits, re-reads last_tick and
    /// gets nothing; when the winner rolls back (its INSERT failed, its process died) the tick is free again.
    /// </summary>
    /// <remarks>
    /// The row must be enabled, not paused, declared with the same cron and time zone (a process still running the
    /// old code of a rolling deploy cannot claim ticks of the new definition) and the tick must be after
    /// <c>since</c>. With @job_id null the tick is claimed without a job (a misfire that is skipped). With
    /// @skip_overlap and the schedule's previous job not finished, the tick is claimed without a job too. The
    /// result says whether the caller inserts the job @job_id in the same transaction. The status labels are
    /// IHP's, inlined as in the queue's SQL.
    /// </remarks>
    public static string ClaimTick(string schedules, string jobTable) => $"""
        UPDATE {schedules} AS s SET
          last_tick = @tick,
          last_job_id = CASE
            WHEN @job_id IS NULL THEN s.last_job_id
            WHEN @skip_overlap AND s.last_job_id IS NOT NULL AND EXISTS (
                   SELECT 1 FROM {jobTable} AS j
                    WHERE j.id = s.last_job_id
                      AND j.status IN ('job_status_not_started', 'job_status_retry', 'job_status_running'))
              THEN s.last_job_id
            ELSE @job_id END,
          updated_at = now()
        WHERE s.name = @name AND s.cron = @cron AND s.time_zone = @time_zone AND s.enabled AND NOT s.paused
          AND s.since < @tick AND (s.last_tick IS NULL OR s.last_tick < @tick)
        RETURNING @job_id IS NOT NULL AND s.last_job_id IS NOT DISTINCT FROM @job_id
        """;

    /// <summary>Records the job that run now (@job_id) made, for the overlap check; ticks are not touched.</summary>
    public static string RecordRunNow(string schedules) => $"""
        UPDATE {schedules} SET last_job_id = @job_id, updated_at = now() WHERE name = @name
        """;

    /// <summary>Pauses or resumes (@paused) a schedule; a resume starts it at @now, so the ticks it missed while paused are not caught up.</summary>
    public static string SetPaused(string schedules) => $"""
        UPDATE {schedules} SET
          paused = @paused,
          since = CASE WHEN paused AND NOT @paused THEN GREATEST(since, @now) ELSE since END,
          updated_at = now()
        WHERE name = @name
        """;
}
