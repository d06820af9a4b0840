using Microsoft.Extensions.Logging;

namespace EfJobs.Runner;

/// <summary>What every component of one runner shares.</summary>
internal sealed class JobRunnerContext(EfJobsOptions options, TimeProvider timeProvider, ILogger logger)
{
    public Guid WorkerId => Options.WorkerId;

    public EfJobsOptions Options { get; } = options;

    public TimeProvider TimeProvider { get; } = timeProvider;

    public ILogger Logger { get; } = logger;

    /// <summary>Doubling delay for retrying a failing database call: 0.5 s, 1 s, 2 s ... up to <paramref name="max"/>.</summary>
    public static TimeSpan Backoff(int failures, TimeSpan max) =>
        TimeSpan.FromMilliseconds(Math.Min(max.TotalMilliseconds, 500 * Math.Pow(2, Math.Min(failures, 16))));
}
