using System.Collections.ObjectModel;
using System.Diagnostics;

namespace EfJobs.ReliabilityTests.Worker;

/// <summary>
/// The in-memory exporter's collection, printing each span it receives:
/// <c>SPAN &lt;job id&gt; &lt;attempt&gt; &lt;trace id&gt; &lt;parent span id&gt; &lt;links as trace-span,...&gt;</c>.
/// </summary>
public sealed class SpanPrinter : Collection<Activity>
{
    protected override void InsertItem(int index, Activity item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var links = string.Join(",", item.Links.Select(l => $"{l.Context.TraceId}-{l.Context.SpanId}"));
        Console.WriteLine($"SPAN {item.GetTagItem("messaging.message.id")} {item.GetTagItem("efjobs.job.attempt")} {item.TraceId} {item.ParentSpanId} {(links.Length == 0 ? "-" : links)}");
        Console.Out.Flush();
    }
}
