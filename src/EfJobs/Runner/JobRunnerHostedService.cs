using EfJobs.Queue;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EfJobs.Runner;

/// <summary>Starts the <see cref="JobRunner"/> with the host and stops it gracefully within the host's shutdown timeout.</summary>
/// <remarks>It takes the queue monitor so that the queue gauges exist from the host's start, runner or not.</remarks>
#pragma warning disable CS9113 // The monitor is taken for its side effect: resolving it creates the gauges.
internal sealed class JobRunnerHostedService(JobRunner runner, IOptions<EfJobsOptions> options, JobQueueMonitor monitor) : IHostedService
#pragma warning restore CS9113
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        options.Value.RunInHost ? runner.StartAsync(cancellationToken) : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) =>
        options.Value.RunInHost ? runner.StopAsync(cancellationToken) : Task.CompletedTask;
}
