using Microsoft.EntityFrameworkCore;

namespace WebApp.Data;

/// <summary>The one place the app's DbContext options are set: the app and `dotnet ef` share it.</summary>
public static class AppDbContextOptions
{
    public const string ConnectionVariable = "EFJOBS_CONNECTION";

    public static string ConnectionString(IConfiguration? configuration = null) =>
        Environment.GetEnvironmentVariable(ConnectionVariable)
        ?? configuration?.GetConnectionString("App")
        ?? "Host=127.0.0.1;Port=5432;Username=postgres;Database=efjobs_sample";

    public static void Configure(DbContextOptionsBuilder options, string connectionString) =>
        options
            .UseNpgsql(connectionString, npgsql => npgsql.UseEfJobs().UseEfJobsMigrations())
            .UseSnakeCaseNamingConvention();
}
