using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EfJobs.Runner;

/// <summary>Starts the <see cref="JobRunner"/> with the host and stops it gracefully within the host's shutdown timeout.</summary>
internal sealed class JobRunnerHostedService(JobRunner runner, IOptions<EfJobsOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        options.Value.RunInHost ? runner.StartAsync(cancellationToken) : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) =>
        options.Value.RunInHost ? runner.StopAsync(cancellationToken) : Task.CompletedTask;
}
