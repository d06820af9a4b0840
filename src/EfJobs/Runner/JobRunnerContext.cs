using Microsoft.Extensions.Logging;

namespace EfJobs.Runner;

/// <summary>What every component of one process's runner shares (River's "archetype"): the worker id, the clock, the logger.</summary>
internal sealed class JobRunnerContext(EfJobsOptions options, TimeProvider timeProvider, ILogger logger)
{
    public Guid WorkerId => Options.WorkerId;

    public EfJobsOptions Options { get; } = options;

    public TimeProvider TimeProvider { get; } = timeProvider;

    public ILogger Logger { get; } = logger;
}
