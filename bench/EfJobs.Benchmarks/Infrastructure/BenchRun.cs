namespace EfJobs.Benchmarks.Infrastructure;

/// <summary>What every scenario gets: the settings, the server, the bench database and the results table.</summary>
public sealed class BenchRun(BenchSettings settings, BenchServer server, BenchDatabase database, ResultTable results)
{
    public BenchSettings Settings { get; } = settings;

    public BenchServer Server { get; } = server;

    public BenchDatabase Database { get; } = database;

    public ResultTable Results { get; } = results;

    public DrainRunner Drains { get; } = new(database, settings);
}
