using EfJobs.Benchmarks.Infrastructure;

namespace EfJobs.Benchmarks.Scenarios;

/// <summary>
/// Jobs/s against concurrency (C = 1, 4, 16, 64 by default) for EfJobs and both baselines: the data of the chart.
/// </summary>
public static class SweepScenario
{
    public static async Task RunAsync(BenchRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var jobs = run.Settings.SweepJobs;
        await run.Drains.WarmUpAsync(run.Settings.Concurrency).ConfigureAwait(false);
        var series = new Dictionary<string, List<(int Concurrency, double JobsPerSecond)>>
        {
            ["efjobs"] = [],
            ["raw-batch"] = [],
            ["raw-single"] = [],
        };
        foreach (var c in run.Settings.SweepConcurrency)
        {
            var single = await run.Drains.RawAsync($"sweep raw-single C={c}", false, jobs, c).ConfigureAwait(false);
            var batch = await run.Drains.RawAsync($"sweep raw-batch C={c}", true, jobs, c).ConfigureAwait(false);
            var efjobs = await run.Drains.EfJobsAsync($"sweep efjobs C={c}", jobs, c).ConfigureAwait(false);
            run.Results.Add(DrainScenario.Row("raw-single", single, c, "sweep"));
            run.Results.Add(DrainScenario.Row("raw-batch", batch, c, "sweep"));
            run.Results.Add(DrainScenario.Row("efjobs", efjobs, c, "sweep") with { Ratio = efjobs.JobsPerSecond / batch.JobsPerSecond, Note = "ratio vs raw-batch" });
            series["raw-single"].Add((c, single.JobsPerSecond));
            series["raw-batch"].Add((c, batch.JobsPerSecond));
            series["efjobs"].Add((c, efjobs.JobsPerSecond));
        }

        if (run.Settings.OutputDirectory is { } directory)
        {
            Directory.CreateDirectory(directory);
            var path = Path.Combine(directory, "concurrency.svg");
            await File.WriteAllTextAsync(path, SvgChart.Render($"Drain throughput against concurrency ({jobs:N0} no-op jobs per point)", series)).ConfigureAwait(false);
            Console.Error.WriteLine($"  chart written to {path}");
        }
    }
}
