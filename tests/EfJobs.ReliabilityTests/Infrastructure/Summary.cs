using System.Globalization;
using Xunit.Abstractions;

namespace EfJobs.ReliabilityTests.Infrastructure;

/// <summary>Writes a scenario's summary line to the test output and appends it to reliability-summary.txt.</summary>
public static class Summary
{
    private static readonly object Gate = new();

    public static string Directory =>
        Environment.GetEnvironmentVariable("EFJOBS_RELIABILITY_SUMMARY_DIR") is { Length: > 0 } dir ? dir : AppContext.BaseDirectory;

    public static void Write(ITestOutputHelper output, string scenario, int faults, long jobs, long lost, long duplicated, double? slowestRescueSeconds, string? extra = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        var rescue = slowestRescueSeconds is { } s ? s.ToString("0.00", CultureInfo.InvariantCulture) + " s" : "n/a";
        var line = $"{scenario}: faults injected {faults}, jobs {jobs}, lost {lost}, duplicated {duplicated}, slowest rescue {rescue}"
            + (extra is null ? "" : $" ({extra})");
        output.WriteLine(line);
        lock (Gate)
        {
            System.IO.Directory.CreateDirectory(Directory);
            File.AppendAllText(Path.Combine(Directory, "reliability-summary.txt"), $"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ} {line}\n");
        }
    }
}
