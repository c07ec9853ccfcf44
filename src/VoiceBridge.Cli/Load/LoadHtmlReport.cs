using System.Globalization;
using System.Net;
using System.Text;

namespace VoiceBridge.Cli.Load;

/// <summary>
/// The report as one self-contained HTML page: the table, latency histograms (log-scaled time axis) and CPU, memory,
/// calls and frame rate over time, drawn as inline SVG. No script, no external resource.
/// </summary>
public static class LoadHtmlReport
{
    private const int Width = 720;
    private const int Height = 220;
    private const int Pad = 40;

    public static string Render(LoadReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>VoiceBridge load report</title><style>")
            .Append("body{font-family:system-ui,sans-serif;margin:2em;color:#222}pre{background:#f6f6f6;padding:1em;overflow:auto}")
            .Append("svg{background:#fcfcfc;border:1px solid #ddd;margin:.5em 0}text{font-size:11px;fill:#444}h2{margin-top:1.5em}")
            .Append("</style></head><body><h1>VoiceBridge load report</h1>");
        html.Append("<p>").Append(WebUtility.HtmlEncode(report.StartedAt.ToString("u", CultureInfo.InvariantCulture))).Append("</p>");
        html.Append("<pre>").Append(WebUtility.HtmlEncode(LoadTable.Format(report))).Append("</pre>");
        html.Append("<h2>Latency histograms</h2>");
        Histogram(html, "Bridge hop in (caller → upstream)", report.InboundHop, "#1f77b4");
        Histogram(html, "Bridge hop out (upstream → caller)", report.OutboundHop, "#d62728");
        Histogram(html, "First audio (caller's speech end → first reply frame)", report.FirstAudio, "#2ca02c");
        Histogram(html, "Call setup (webhook → upstream session open)", report.Setup, "#9467bd");
        html.Append("<h2>Over time</h2>");
        var t = report.Timeline;
        Series(html, "Calls up", t.Select(s => (s.Seconds, (double?)s.CallsUp)).ToList(), "calls", "#333");
        Series(html, "Frames per second (sent + received by the callers)", t.Select(s => (s.Seconds, (double?)s.FramesPerSecond)).ToList(), "frames/s", "#8c564b");
        Series(html, "Bridge CPU (cores)", t.Select(s => (s.Seconds, s.BridgeCores)).ToList(), "cores", "#ff7f0e");
        Series(html, "Bridge RSS (MiB)", t.Select(s => (s.Seconds, s.BridgeRssMiB)).ToList(), "MiB", "#17becf");
        Series(html, "Load tool + simulator CPU (cores)", t.Select(s => (s.Seconds, (double?)s.ToolCores)).ToList(), "cores", "#7f7f7f");
        html.Append("</body></html>");
        return html.ToString();
    }

    private static void Histogram(StringBuilder html, string title, LatencySummary summary, string color)
    {
        html.Append("<h3>").Append(WebUtility.HtmlEncode(title)).Append("</h3>");
        var buckets = summary.Buckets;
        if (buckets.Count == 0)
        {
            html.Append("<p>no samples</p>");
            return;
        }

        // Log time axis from the lowest to the highest bucket; bars are the share of samples per bucket.
        var low = Math.Log10(Math.Max(1, buckets[0].LowMicroseconds));
        var high = Math.Log10(Math.Max(buckets[^1].HighMicroseconds + 1, buckets[0].LowMicroseconds * 10.0));
        var peak = buckets.Max(b => b.Count);
        var plotW = Width - (2 * Pad);
        var plotH = Height - (2 * Pad);
        Open(html);
        foreach (var b in buckets)
        {
            var x0 = Pad + ((Math.Log10(Math.Max(1, b.LowMicroseconds)) - low) / (high - low) * plotW);
            var x1 = Pad + ((Math.Log10(b.HighMicroseconds + 1) - low) / (high - low) * plotW);
            var h = b.Count / (double)peak * plotH;
            Append(html, $"<rect x=\"{x0:F1}\" y=\"{Height - Pad - h:F1}\" width=\"{Math.Max(1, x1 - x0):F1}\" height=\"{h:F1}\" fill=\"{color}\"><title>{b.LowMicroseconds}–{b.HighMicroseconds} µs: {b.Count}</title></rect>");
        }

        for (var decade = Math.Ceiling(low); decade <= high; decade++)
        {
            var x = Pad + ((decade - low) / (high - low) * plotW);
            var label = Math.Pow(10, decade) / 1000;
            Append(html, $"<line x1=\"{x:F1}\" y1=\"{Pad}\" x2=\"{x:F1}\" y2=\"{Height - Pad}\" stroke=\"#ccc\"/><text x=\"{x:F1}\" y=\"{Height - Pad + 14}\" text-anchor=\"middle\">{label:G4} ms</text>");
        }

        foreach (var (name, value) in new[] { ("p50", summary.P50Ms), ("p99", summary.P99Ms), ("p99.9", summary.P999Ms) })
        {
            var x = Pad + ((Math.Log10(Math.Max(1, value * 1000)) - low) / (high - low) * plotW);
            Append(html, $"<line x1=\"{x:F1}\" y1=\"{Pad - 10}\" x2=\"{x:F1}\" y2=\"{Height - Pad}\" stroke=\"#000\" stroke-dasharray=\"3,3\"/><text x=\"{x + 3:F1}\" y=\"{Pad - 12}\">{name} {value:F3} ms</text>");
        }

        Append(html, $"<text x=\"{Pad}\" y=\"{Height - 8}\">{summary.Count:N0} samples; bar height = share of samples in the bucket</text>");
        html.Append("</svg>");
    }

    private static void Series(StringBuilder html, string title, List<(double Seconds, double? Value)> points, string unit, string color)
    {
        html.Append("<h3>").Append(WebUtility.HtmlEncode(title)).Append("</h3>");
        var values = points.Where(p => p.Value.HasValue).Select(p => (p.Seconds, Value: p.Value!.Value)).ToList();
        if (values.Count < 2)
        {
            html.Append("<p>not sampled</p>");
            return;
        }

        var maxT = Math.Max(1, values[^1].Seconds);
        var maxV = Math.Max(1e-9, values.Max(p => p.Value)) * 1.1;
        var plotW = Width - (2 * Pad);
        var plotH = Height - (2 * Pad);
        Open(html);
        var path = new StringBuilder();
        foreach (var (s, v) in values)
        {
            path.Append(path.Length == 0 ? 'M' : 'L')
                .Append((Pad + (s / maxT * plotW)).ToString("F1", CultureInfo.InvariantCulture)).Append(',')
                .Append((Height - Pad - (v / maxV * plotH)).ToString("F1", CultureInfo.InvariantCulture));
        }

        Append(html, $"<path d=\"{path}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\"/>");
        Append(html, $"<text x=\"{Pad}\" y=\"{Pad - 8}\">max {maxV / 1.1:G4} {unit}</text><text x=\"{Width - Pad}\" y=\"{Height - Pad + 14}\" text-anchor=\"end\">{maxT:F0} s</text><text x=\"{Pad}\" y=\"{Height - Pad + 14}\">0 s</text>");
        Append(html, $"<line x1=\"{Pad}\" y1=\"{Height - Pad}\" x2=\"{Width - Pad}\" y2=\"{Height - Pad}\" stroke=\"#999\"/>");
        html.Append("</svg>");
    }

    private static void Open(StringBuilder html) =>
        Append(html, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\">");

    private static void Append(StringBuilder html, FormattableString text) => html.Append(text.ToString(CultureInfo.InvariantCulture));
}
