namespace EfJobs.Model;

/// <summary>Annotations EfJobs puts on the EF model.</summary>
internal static class JobModelAnnotations
{
    /// <summary>On the model: UseEfJobs() configured it.</summary>
    public const string Configured = "EfJobs:Configured";

    /// <summary>Npgsql's model annotation for a PostgreSQL enum in the default schema; its value lists the labels.</summary>
    public const string NpgsqlEnumPrefix = "Npgsql:Enum:";

    /// <summary>On a job's entity type: the table gets IHP's notification triggers (read by EfJobs.Migrations).</summary>
    public const string NotificationTriggers = "EfJobs:NotificationTriggers";

    /// <summary>On a job's entity type: trace_parent and trace_state are mapped (<c>StoreTraceContext()</c>).</summary>
    public const string TraceContext = "EfJobs:TraceContext";
}
