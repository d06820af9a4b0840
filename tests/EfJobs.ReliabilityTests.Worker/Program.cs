using System.Globalization;
using EfJobs;
using EfJobs.ReliabilityTests.Worker;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry.Trace;

// A worker host the reliability tests start, kill and restart. Settings come from environment variables:
//   REL_CONNECTION (required), REL_JOBS (reliability | all), REL_MAX_CONCURRENCY, REL_MAX_FETCH_BATCH, REL_MAX_ATTEMPTS, REL_STALE_MS,
//   REL_HEARTBEAT_MS, REL_POLL_MS, REL_TIMEOUT_MS, REL_BACKOFF_MS, REL_SHUTDOWN_MS, REL_REPAIR_TRIGGERS, REL_LOG_LEVEL,
//   REL_BATCH_COMPLETIONS (true | false, for reliability_jobs only: the other two types keep the default, batched),
//   REL_RECURRING (true: also the every-second recurring job "every-second" of recurring_probe_jobs, and its handler).
//   REL_TRACE (stdout: every EfJobs span, exported by OpenTelemetry's in-memory exporter, printed as a SPAN line).
// REL_STALE_MS and REL_HEARTBEAT_MS unset leave the library's defaults (StaleJobTimeout 10 min): a slow but live worker
// must keep its jobs, and a dead one is found through its lost liveness lock, not a short stale timeout.
var connection = Environment.GetEnvironmentVariable("REL_CONNECTION")
    ?? throw new InvalidOperationException("REL_CONNECTION is not set.");

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; });
builder.Logging.SetMinimumLevel(Enum.Parse<LogLevel>(Environment.GetEnvironmentVariable("REL_LOG_LEVEL") ?? "Information"));
builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
builder.Logging.AddFilter("EfJobs", Enum.Parse<LogLevel>(Environment.GetEnvironmentVariable("REL_EFJOBS_LOG_LEVEL") ?? "Warning"));
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(Int("REL_SHUTDOWN_MS", 10_000)));
// The runner's own generated id: only an id EfJobs generates takes part in worker liveness (a kill -9 is seen through
// the lost advisory lock within seconds); an id set in EfJobsOptions.WorkerId would leave it to StaleJobTimeout.
builder.Services.AddSingleton(sp => new WorkerIdentity(sp.GetRequiredService<JobRunner>().WorkerId));
builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(connection));
builder.Services.AddDbContext<ReliabilityContext>(o => o.UseNpgsql(connection, npgsql => npgsql.UseEfJobs()));

var all = Environment.GetEnvironmentVariable("REL_JOBS") == "all";
builder.Services.AddScoped<IJobHandler<ReliabilityJob>>(sp => new ReliabilityHandler<ReliabilityJob>(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<WorkerIdentity>(), "reliability_jobs"));
builder.Services.AddScoped<IJobHandler<QuotedJob>>(sp => new ReliabilityHandler<QuotedJob>(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<WorkerIdentity>(), ReliabilityContext.QuotedTable));
builder.Services.AddScoped<IJobHandler<LongJob>>(sp => new ReliabilityHandler<LongJob>(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<WorkerIdentity>(), ReliabilityContext.LongTable));
Hostile<CustomerSubscriptionRenewalReminderNotificationEmailJob>(builder.Services, 2);
Hostile<CustomerSubscriptionRenewalReminderNotificationSmsJob>(builder.Services, 3);
Hostile<BillingInvoiceJob>(builder.Services, 4);
Hostile<CrmInvoiceJob>(builder.Services, 5);
builder.Services.AddEfJobs<ReliabilityContext>(jobs =>
{
    jobs.AddJob<ReliabilityJob, ReliabilityHandler<ReliabilityJob>>(o =>
    {
        Configure(o);
        o.BatchCompletions = Environment.GetEnvironmentVariable("REL_BATCH_COMPLETIONS") != "false";
    });
    if (all)
    {
        jobs.AddJob<QuotedJob, ReliabilityHandler<QuotedJob>>(Configure);
        jobs.AddJob<LongJob, ReliabilityHandler<LongJob>>(Configure);
        jobs.AddJob<CustomerSubscriptionRenewalReminderNotificationEmailJob, ReliabilityHandler<CustomerSubscriptionRenewalReminderNotificationEmailJob>>(Configure);
        jobs.AddJob<CustomerSubscriptionRenewalReminderNotificationSmsJob, ReliabilityHandler<CustomerSubscriptionRenewalReminderNotificationSmsJob>>(Configure);
        jobs.AddJob<BillingInvoiceJob, ReliabilityHandler<BillingInvoiceJob>>(Configure);
        jobs.AddJob<CrmInvoiceJob, ReliabilityHandler<CrmInvoiceJob>>(Configure);
    }

    if (Environment.GetEnvironmentVariable("REL_RECURRING") == "true")
    {
        // A misfire threshold far above any stall of a loaded machine: every tick is on time and must run once.
        jobs.AddJob<RecurringProbeJob, RecurringProbeHandler>();
        jobs.AddRecurring(
            "every-second",
            "* * * * * *",
            TimeZoneInfo.Utc,
            tick => new RecurringProbeJob { Schedule = tick.Schedule, Tick = tick.Time },
            o => o.MisfireThreshold = TimeSpan.FromMinutes(10));
    }

    jobs.Configure(o => o.RepairTriggers = Environment.GetEnvironmentVariable("REL_REPAIR_TRIGGERS") == "true");
});

// The trace scenario reads this process's spans from its stdout: OpenTelemetry's SDK with the in-memory exporter, whose
// collection prints each exported span as one line.
using var tracing = Environment.GetEnvironmentVariable("REL_TRACE") == "stdout"
    ? OpenTelemetry.Sdk.CreateTracerProviderBuilder().AddEfJobsInstrumentation().AddInMemoryExporter(new SpanPrinter()).Build()
    : null;

using var host = builder.Build();
var workerId = host.Services.GetRequiredService<JobRunner>().WorkerId;
Console.WriteLine("WORKER-ID " + workerId.ToString("N"));
Console.Out.Flush();
await host.RunAsync();
Console.WriteLine("WORKER-STOPPED " + workerId.ToString("N"));
return 0;

// The handler of one of the hostile-name tables, labelled in executions as ReliabilityContext.HostileTables says.
static void Hostile<TJob>(IServiceCollection services, int index)
    where TJob : JobBase, IReliabilityJob =>
    services.AddScoped<IJobHandler<TJob>>(sp => new ReliabilityHandler<TJob>(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<WorkerIdentity>(), ReliabilityContext.HostileTables[index].Label));

static void Configure(JobOptions o)
{
    o.MaxConcurrency = Int("REL_MAX_CONCURRENCY", 8);
    o.MaxFetchBatchSize = Int("REL_MAX_FETCH_BATCH", 100);
    o.MaxAttempts = Int("REL_MAX_ATTEMPTS", 10);
    if (Int("REL_STALE_MS", 0) is > 0 and var stale)
    {
        o.StaleJobTimeout = TimeSpan.FromMilliseconds(stale);
    }

    if (Int("REL_HEARTBEAT_MS", 0) is > 0 and var beat)
    {
        o.HeartbeatInterval = TimeSpan.FromMilliseconds(beat);
    }

    o.PollInterval = TimeSpan.FromMilliseconds(Int("REL_POLL_MS", 3_600_000));
    var timeout = Int("REL_TIMEOUT_MS", 0);
    o.Timeout = timeout > 0 ? TimeSpan.FromMilliseconds(timeout) : null;
    o.Backoff = BackoffStrategy.Linear(TimeSpan.FromMilliseconds(Int("REL_BACKOFF_MS", 200)));
}

static int Int(string name, int fallback) =>
    Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;
