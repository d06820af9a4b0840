using System.Globalization;
using System.Net;
using System.Text;

namespace EfJobs.Benchmarks.Infrastructure;

/// <summary>A small line chart as SVG text (x on a log2 scale), so the bench needs no plotting tool.</summary>
public static class SvgChart
{
    private static readonly string[] Colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"];

    public static string Render(string title, IReadOnlyDictionary<string, List<(int Concurrency, double JobsPerSecond)>> series)
    {
        ArgumentNullException.ThrowIfNull(series);
        const double width = 640, height = 400, left = 70, right = 150, top = 40, bottom = 50;
        var points = series.Values.SelectMany(s => s).ToList();
        var xs = points.Select(p => Math.Log2(p.Concurrency)).ToList();
        var (xMin, xMax) = (xs.Min(), Math.Max(xs.Max(), xs.Min() + 1));
        var yMax = NiceCeiling(points.Max(p => p.JobsPerSecond));
        double X(int c) => left + ((Math.Log2(c) - xMin) / (xMax - xMin) * (width - left - right));
        double Y(double v) => height - bottom - (v / yMax * (height - top - bottom));
        string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

        var svg = new StringBuilder();
        svg.AppendLine(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{F(width)}\" height=\"{F(height)}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{F(width / 2)}\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">{WebUtility.HtmlEncode(title)}</text>");
        for (var i = 0; i <= 5; i++)
        {
            var v = yMax * i / 5;
            svg.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{F(left)}\" x2=\"{F(width - right)}\" y1=\"{F(Y(v))}\" y2=\"{F(Y(v))}\" stroke=\"#ddd\"/>");
            svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{F(left - 6)}\" y=\"{F(Y(v) + 4)}\" text-anchor=\"end\">{v.ToString("N0", CultureInfo.InvariantCulture)}</text>");
        }

        foreach (var c in points.Select(p => p.Concurrency).Distinct().Order())
        {
            svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{F(X(c))}\" y=\"{F(height - bottom + 18)}\" text-anchor=\"middle\">{c}</text>");
        }

        svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{F((left + width - right) / 2)}\" y=\"{F(height - 12)}\" text-anchor=\"middle\">concurrency (slots / connections)</text>");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<text transform=\"translate(16 {F(height / 2)}) rotate(-90)\" text-anchor=\"middle\">jobs/s</text>");
        var index = 0;
        foreach (var (name, line) in series)
        {
            var colour = Colours[index % Colours.Length];
            var path = string.Join(" ", line.OrderBy(p => p.Concurrency).Select(p => $"{F(X(p.Concurrency))},{F(Y(p.JobsPerSecond))}"));
            svg.AppendLine(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{path}\"/>");
            foreach (var p in line)
            {
                svg.AppendLine(CultureInfo.InvariantCulture, $"<circle cx=\"{F(X(p.Concurrency))}\" cy=\"{F(Y(p.JobsPerSecond))}\" r=\"3\" fill=\"{colour}\"><title>{WebUtility.HtmlEncode(name)} C={p.Concurrency}: {p.JobsPerSecond.ToString("N0", CultureInfo.InvariantCulture)} jobs/s</title></circle>");
            }

            var legendY = top + 10 + (index * 20);
            svg.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{F(width - right + 15)}\" x2=\"{F(width - right + 35)}\" y1=\"{F(legendY)}\" y2=\"{F(legendY)}\" stroke=\"{colour}\" stroke-width=\"2\"/>");
            svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{F(width - right + 40)}\" y=\"{F(legendY + 4)}\">{WebUtility.HtmlEncode(name)}</text>");
            index++;
        }

        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static double NiceCeiling(double value)
    {
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(Math.Max(value, 1))));
        foreach (var step in new[] { 1.0, 2, 2.5, 5, 10 })
        {
            if (step * magnitude >= value)
            {
                return step * magnitude;
            }
        }

        return 10 * magnitude;
    }
}
