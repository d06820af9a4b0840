using Microsoft.Extensions.Logging;

namespace EfJobs.Runner;

/// <summary>
/// What every component of one process's runner shares (River's "archetype"): the worker id, the clock, the loggers
/// (<see cref="Logger"/> is <c>EfJobs.Runner</c>; <see cref="LoggerFor"/> gives each component its own category).
/// </summary>
internal sealed class JobRunnerContext(EfJobsOptions options, TimeProvider timeProvider, ILogger logger, ILoggerFactory? loggers = null)
{
    public Guid WorkerId => Options.WorkerId;

    public EfJobsOptions Options { get; } = options;

    public TimeProvider TimeProvider { get; } = timeProvider;

    public ILogger Logger { get; } = logger;

    /// <summary>The logger of one component's category (<see cref="Diagnostics.LogCategories"/>); <see cref="Logger"/> without a factory.</summary>
    public ILogger LoggerFor(string category) => loggers?.CreateLogger(category) ?? Logger;
}
