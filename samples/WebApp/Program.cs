using System.Text.Json;
using EfJobs;
using EfJobs.HealthChecks;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using WebApp.Data;
using WebApp.Jobs;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddDbContextPool<AppDbContext>(options =>
    AppDbContextOptions.Configure(options, AppDbContextOptions.ConnectionString(builder.Configuration)));

builder.Services.AddEfJobs<AppDbContext>(jobs => jobs
    .AddJob<WelcomeMailJob, WelcomeMailJobHandler>(o => o.MaxAttempts = 5)
    .AddJob<DemoJob, DemoJobHandler>(o =>
    {
        o.MaxAttempts = 3;
        o.Timeout = TimeSpan.FromSeconds(5);
        o.Backoff = BackoffStrategy.Exponential(TimeSpan.FromSeconds(1));
    }));

// Health: the runner (LISTEN up, loops alive), the age of the oldest due job, stale running rows. GET /health runs all
// three, /health/live the runner only (restart the process when it fails), /health/ready all three.
builder.Services.AddHealthChecks().AddEfJobs(o =>
{
    o.QueueLatencyDegraded = TimeSpan.FromSeconds(30);
    o.QueueLatencyUnhealthy = TimeSpan.FromMinutes(5);
});

// OpenTelemetry, off by default. OpenTelemetry__Exporter=console prints every span and metric to the console;
// OpenTelemetry__Exporter=otlp sends them to the OTLP endpoint in OTEL_EXPORTER_OTLP_ENDPOINT (default
// http://localhost:4317). A request that enqueues a job and the job's run then show up in one trace. Add the
// "Npgsql" source to see each SQL statement too (the runner's own statements then show up as short traces of their
// own, one every few seconds).
var exporter = builder.Configuration["OpenTelemetry:Exporter"] ?? "none";
if (exporter is "console" or "otlp")
{
    builder.Services.AddOpenTelemetry()
        .ConfigureResource(resource => resource.AddService("efjobs-sample"))
        .WithTracing(tracing =>
        {
            tracing.AddAspNetCoreInstrumentation().AddEfJobsInstrumentation();
            _ = exporter == "console" ? tracing.AddConsoleExporter() : tracing.AddOtlpExporter();
        })
        .WithMetrics(metrics =>
        {
            metrics.AddMeter("Microsoft.AspNetCore.Hosting").AddEfJobsInstrumentation();
            _ = exporter == "console" ? metrics.AddConsoleExporter() : metrics.AddOtlpExporter();
        });
}

var app = builder.Build();

app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = WriteHealth });
app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = c => c.Tags.Contains(EfJobsHealthChecks.LiveTag), ResponseWriter = WriteHealth });
app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(EfJobsHealthChecks.ReadyTag), ResponseWriter = WriteHealth });

// The user and their welcome mail job are saved in one transaction: both commit or neither does.
app.MapPost("/signup", async (SignupRequest request, AppDbContext db) =>
{
    try
    {
        var user = new User { Email = request.Email, Name = request.Name };
        db.Users.Add(user);
        db.Add(new WelcomeMailJob { UserId = user.Id, User = user });
        await db.SaveChangesAsync();
        return Results.Created($"/users/{user.Id}", new { user.Id, user.Email });
    }
    catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
    {
        // The unique index on users.email: the e-mail is taken, and the rolled-back transaction took the job with it.
        return Results.Conflict(new { error = $"A user with the e-mail {request.Email} exists already; nothing was saved and no welcome mail job was enqueued." });
    }
});

// Enqueues a batch of demo jobs in one SaveChanges: some quick, some failing at first, some too slow for the timeout.
app.MapPost("/demo", async (AppDbContext db, int count = 10, int workMs = 50, int failFirstAttempts = 0, int delaySeconds = 0) =>
{
    var runAt = delaySeconds > 0 ? DateTime.UtcNow.AddSeconds(delaySeconds) : default;
    db.DemoJobs.AddRange(Enumerable.Range(0, Math.Clamp(count, 1, 10_000))
        .Select(_ => new DemoJob { WorkMs = workMs, FailFirstAttempts = failFirstAttempts, RunAt = runAt }));
    await db.SaveChangesAsync();
    return Results.Accepted(value: new { enqueued = count });
});

// Job counts by status, per job type.
app.MapGet("/jobs", async (AppDbContext db) => new
{
    welcome_mail_jobs = await CountByStatus(db.WelcomeMailJobs),
    demo_jobs = await CountByStatus(db.DemoJobs),
    sent_mails = await db.SentMails.CountAsync(),
});

app.MapGet("/jobs/{table}/recent", async (string table, AppDbContext db) => table switch
{
    "welcome_mail_jobs" => Results.Ok(await Recent(db.WelcomeMailJobs)),
    "demo_jobs" => Results.Ok(await Recent(db.DemoJobs)),
    _ => Results.NotFound(new { error = $"No job table '{table}'. Try welcome_mail_jobs or demo_jobs." }),
});

// Names the address the server is bound to, whatever --urls or ASPNETCORE_URLS said.
app.MapGet("/", (IServer server) =>
{
    var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost:5080";
    return Results.Text($$"""
        EfJobs sample. Try:
          curl -X POST {{address}}/signup -H 'content-type: application/json' -d '{"email":"ada@example.com","name":"Ada"}'
          curl -X POST '{{address}}/demo?count=20&failFirstAttempts=1'
          curl {{address}}/jobs
          curl {{address}}/health
        """);
});

app.Run();

static async Task<Dictionary<string, int>> CountByStatus<TJob>(IQueryable<TJob> jobs)
    where TJob : JobBase =>
    (await jobs.GroupBy(j => j.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync())
        .ToDictionary(g => JobStatusLabels.ToLabel(g.Key), g => g.Count);

static Task<List<object>> Recent<TJob>(IQueryable<TJob> jobs)
    where TJob : JobBase =>
    jobs.OrderByDescending(j => j.UpdatedAt).Take(20)
        .Select(j => (object)new { j.Id, Status = j.Status.ToString(), j.AttemptsCount, j.RunAt, j.UpdatedAt, j.LastError })
        .ToListAsync();

// The status of each check with its description and data, as JSON (the default writer prints only the overall status).
static Task WriteHealth(HttpContext context, HealthReport report)
{
    context.Response.ContentType = "application/json";
    return context.Response.WriteAsync(JsonSerializer.Serialize(new
    {
        status = report.Status.ToString(),
        checks = report.Entries.ToDictionary(e => e.Key, e => new
        {
            status = e.Value.Status.ToString(),
            description = e.Value.Description,
            data = e.Value.Data,
        }),
    }));
}

/// <summary>The body of POST /signup.</summary>
internal sealed record SignupRequest(string Email, string Name);

/// <summary>Lets the smoke test start the app in-process.</summary>
public partial class Program;
