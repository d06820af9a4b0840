namespace EfJobs.Migrations;

/// <summary>A job table as the database names it: what the notification triggers hang on.</summary>
internal readonly record struct JobTableName(string Table, string? Schema);
