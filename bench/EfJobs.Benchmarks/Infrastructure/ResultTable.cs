using System.Globalization;
using System.Text;

namespace EfJobs.Benchmarks.Infrastructure;

/// <summary>The run's rows, printed as a Markdown table as they come and in full at the end.</summary>
public sealed class ResultTable
{
    private readonly List<ResultRow> _rows = [];

    public IReadOnlyList<ResultRow> Rows => _rows;

    public void Add(ResultRow row)
    {
        _rows.Add(row);
        Console.Error.WriteLine("  => " + Format(row));
    }

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine("| scenario | variant | jobs | C | result | ratio | target | met | alloc/job | peak WS | note |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---|---|---:|---:|---|");
        foreach (var row in _rows)
        {
            text.AppendLine(Format(row));
        }

        return text.ToString();
    }

    private static string Format(ResultRow row)
    {
        var c = CultureInfo.InvariantCulture;
        var value = row.Value >= 100 ? row.Value.ToString("N0", c) : row.Value.ToString("0.00", c);
        var ratio = row.Ratio is { } r ? r.ToString("0.00", c) : "";
        var met = row.Met switch { true => "yes", false => "**no**", null => "" };
        var alloc = row.AllocatedPerJob is { } a ? (a >= 10_240 ? (a / 1024).ToString("N0", c) + " KB" : a.ToString("N0", c) + " B") : "";
        var jobs = row.Jobs > 0 ? row.Jobs.ToString("N0", c) : "";
        var concurrency = row.Concurrency > 0 ? row.Concurrency.ToString(c) : "";
        return $"| {row.Scenario} | {row.Variant} | {jobs} | {concurrency} | {value} {row.Unit} | {ratio} | {row.Target} | {met} | {alloc} | {row.PeakWorkingSetMb.ToString("N0", c)} MB | {row.Note} |";
    }
}
