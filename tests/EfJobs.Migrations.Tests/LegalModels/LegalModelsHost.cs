using System.Collections.Concurrent;
using EfJobs.Migrations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace EfJobs.Migrations.Tests.LegalModels;

/// <summary>
/// A host running EfJobs for every job type of <see cref="LegalModelsContext"/>, polling once an hour, so a job that
/// runs was woken by its table's notification.
/// </summary>
public sealed class LegalModelsHost : IAsyncDisposable
{
    private readonly IHost _host;

    private LegalModelsHost(IHost host, LogSink logs)
    {
        _host = host;
        Logs = logs;
    }

    public LegalModelsRecorder Recorder => _host.Services.GetRequiredService<LegalModelsRecorder>();

    public LogSink Logs { get; }

    public static async Task<LegalModelsHost> StartAsync(ScratchDatabase database)
    {
        var logs = new LogSink();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Services.AddSingleton<LegalModelsRecorder>();
        builder.Services.AddDbContext<LegalModelsContext>(o => o.UseNpgsql(database.ConnectionString, npgsql => npgsql.UseEfJobs().UseEfJobsMigrations()));
        builder.Services.AddEfJobs<LegalModelsContext>(jobs => jobs
            .AddJob<CustomerSubscriptionRenewalReminderNotificationEmailJob, RecordingHandler<CustomerSubscriptionRenewalReminderNotificationEmailJob>>(Hourly)
            .AddJob<CustomerSubscriptionRenewalReminderNotificationSmsJob, RecordingHandler<CustomerSubscriptionRenewalReminderNotificationSmsJob>>(Hourly)
            .AddJob<Billing.InvoiceJob, RecordingHandler<Billing.InvoiceJob>>(Hourly)
            .AddJob<Crm.InvoiceJob, RecordingHandler<Crm.InvoiceJob>>(Hourly)
            .AddJob<ShipJob, RecordingHandler<ShipJob>>(Hourly)
            .AddJob<PackJob, RecordingHandler<PackJob>>(Hourly)
            .AddJob<PrintReceiptJob, RecordingHandler<PrintReceiptJob>>(Hourly)
            .AddJob<GreetCustomerJob, RecordingHandler<GreetCustomerJob>>(Hourly));
        var host = builder.Build();
        await host.StartAsync();

        // Notifications reach the runner only once its LISTEN connection is up.
        var name = "efjobs-listener-" + host.Services.GetRequiredService<JobRunner>().WorkerId.ToString("N");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            await using var connection = await database.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE application_name = @name AND (query LIKE 'LISTEN%' OR query LIKE 'WITH live AS%')", connection);
            command.Parameters.AddWithValue("name", name);
            if ((long)(await command.ExecuteScalarAsync())! == 1)
            {
                break;
            }

            if (DateTime.UtcNow > deadline)
            {
                await host.StopAsync();
                throw new TimeoutException("The runner's LISTEN connection did not come up. Log:\n" + logs);
            }

            await Task.Delay(20);
        }

        return new LegalModelsHost(host, logs);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }

    private static void Hourly(JobOptions options) => options.PollInterval = TimeSpan.FromHours(1);

    /// <summary>Every log entry of the host, to assert on warnings and to print when a test fails.</summary>
    public sealed class LogSink : ILoggerProvider
    {
        public ConcurrentQueue<(string Category, LogLevel Level, int EventId, string Message)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        public override string ToString() => string.Join("\n", Entries.Select(e => $"{e.Level} {e.Category} {e.EventId} {e.Message}"));

        private sealed class Logger(LogSink sink, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                sink.Entries.Enqueue((category, logLevel, eventId.Id, formatter(state, exception) + (exception is null ? "" : " " + exception)));
        }
    }
}
