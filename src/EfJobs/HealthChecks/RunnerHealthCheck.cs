using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EfJobs.HealthChecks;

/// <summary>
/// Healthy while the runner runs, its LISTEN connection is up and every loop runs. Degraded while jobs are found by
/// polling only (the LISTEN connection is down, or a table's notification triggers are missing). Unhealthy when the
/// runner is not running (not started, stopping) or a loop has ended. Healthy, and says so, in a process that does
/// not run the runner (<see cref="EfJobsOptions.RunInHost"/> false).
/// </summary>
internal sealed class RunnerHealthCheck(JobRunner runner, EfJobsOptions options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!options.RunInHost)
        {
            return Task.FromResult(HealthCheckResult.Healthy("The runner does not run in this process (EfJobsOptions.RunInHost is false)."));
        }

        var state = runner.State();
        var data = new Dictionary<string, object>
        {
            ["worker_id"] = runner.WorkerId,
            ["running"] = state.Running,
            ["listener_connected"] = state.ListenerConnected,
            ["stopped_loops"] = state.StoppedLoops,
            ["tables_without_triggers"] = state.TablesWithoutTriggers,
        };
        var result =
            !state.Running ? new HealthCheckResult(context.Registration.FailureStatus, "The runner is not running (not started yet, or stopping).", data: data)
            : state.StoppedLoops.Count > 0 ? new HealthCheckResult(context.Registration.FailureStatus, "Runner loops have ended: " + string.Join(", ", state.StoppedLoops) + ".", data: data)
            : !state.ListenerConnected ? HealthCheckResult.Degraded("The LISTEN connection is down: jobs are picked up by polling only until it reconnects.", data: data)
            : state.TablesWithoutTriggers.Count > 0 ? HealthCheckResult.Degraded("The notification triggers of " + string.Join(", ", state.TablesWithoutTriggers) + " are missing: their jobs are picked up by polling only.", data: data)
            : HealthCheckResult.Healthy("Listening; every loop runs.", data);
        return Task.FromResult(result);
    }
}
