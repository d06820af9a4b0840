namespace EfJobs.Benchmarks.Infrastructure;

/// <summary>One line of the results table.</summary>
/// <param name="Scenario">The scenario (drain, enqueue...).</param>
/// <param name="Variant">What ran (efjobs, raw-single...).</param>
/// <param name="Jobs">Jobs processed, or 0 where it does not apply.</param>
/// <param name="Concurrency">Slots or connections, or 0 where it does not apply.</param>
/// <param name="Value">The figure.</param>
/// <param name="Unit">Its unit (jobs/s, ms, queries/s).</param>
/// <param name="Ratio">Value over its baseline's, for rows that have one.</param>
/// <param name="Target">The target, as text; empty when none.</param>
/// <param name="Met">Whether the target was met; null when there is none.</param>
/// <param name="AllocatedPerJob">Bytes allocated by the process per job; null where it does not apply.</param>
/// <param name="PeakWorkingSetMb">Peak working set during the variant, in MiB.</param>
/// <param name="Note">Anything the figure needs to be read right.</param>
public sealed record ResultRow(
    string Scenario,
    string Variant,
    long Jobs,
    int Concurrency,
    double Value,
    string Unit,
    double? Ratio = null,
    string Target = "",
    bool? Met = null,
    double? AllocatedPerJob = null,
    double PeakWorkingSetMb = 0,
    string Note = "");
