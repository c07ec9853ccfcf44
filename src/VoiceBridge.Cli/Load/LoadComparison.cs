using System.Globalization;
using System.Text;

namespace VoiceBridge.Cli.Load;

/// <summary>
/// Several load reports of the same load side by side (ours, the floor, Twilio's Node sample: <c>tools/compare.sh</c>),
/// one column each, then the first one's ratio to each of the others. The figures are the ones the targets
/// are stated in: CPU per call-minute, both hops at p50 and p99, memory per call, wake-ups and context switches per
/// call-frame (per call per 20 ms),
/// and what tells whether the run was clean (calls held and refused, dropped frames, errors, load average).
/// </summary>
public static class LoadComparison
{
    private const int NameWidth = 36;
    private const int ColumnWidth = 14;

    public static string Format(IReadOnlyList<(string Name, LoadReport Report)> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentOutOfRangeException.ThrowIfZero(runs.Count);
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        var first = runs[0].Report;
        text.AppendLine(string.Create(inv,
            $"{first.CallsRequested} calls, all held {first.DurationSeconds:F0} s, ramp {first.RampSeconds:F0} s, {first.ProcessorCount} cores; runs one after the other, each with its own warm-up"));
        foreach (var (name, report) in runs.Skip(1))
        {
            if (report.CallsRequested != first.CallsRequested || report.DurationSeconds != first.DurationSeconds || report.RampSeconds != first.RampSeconds)
            {
                text.AppendLine(string.Create(inv, $"warning: {name} ran a different load ({report.CallsRequested} calls, {report.DurationSeconds:F0} s, ramp {report.RampSeconds:F0} s)"));
            }
        }

        var header = new StringBuilder();
        header.Append(string.Empty.PadRight(NameWidth));
        foreach (var (name, _) in runs)
        {
            header.Append(name.PadLeft(ColumnWidth));
        }

        foreach (var (name, _) in runs.Skip(1))
        {
            header.Append($"{runs[0].Name} ÷ {name}".PadLeft(ColumnWidth + 2));
        }

        text.AppendLine(header.ToString().TrimEnd());
        Ratio("CPU per call-minute (ms)", r => r.Bridge?.CpuMsPerCallMinute, "F1");
        Ratio("hop caller → upstream p50 (ms)", r => r.InboundHop.Count > 0 ? r.InboundHop.P50Ms : null, "F3");
        Ratio("hop caller → upstream p99 (ms)", r => r.InboundHop.Count > 0 ? r.InboundHop.P99Ms : null, "F2");
        Ratio("hop upstream → caller p50 (ms)", r => r.OutboundHop.Count > 0 ? r.OutboundHop.P50Ms : null, "F3");
        Ratio("hop upstream → caller p99 (ms)", r => r.OutboundHop.Count > 0 ? r.OutboundHop.P99Ms : null, "F2");
        Ratio("RSS per call (KiB)", r => r.Bridge?.RssPerCallKiB, "F1");
        Ratio("wake-ups per call-frame", r => r.Bridge?.WakeUpsPerCallFrame, "F2");
        Ratio("context switches per call-frame", r => r.Bridge?.ContextSwitchesPerCallFrame, "F2");
        Ratio("cores busy (average)", r => r.Bridge?.AverageCores, "F2");
        Plain("calls held / refused", r => string.Create(inv, $"{r.CallsHeld}/{r.CallsRefused}"));
        Plain("frames dropped in / out", r => string.Create(inv, $"{r.Frames.InboundDropped}/{r.Frames.OutboundDropped}"));
        Plain("frames timed in / out", r => string.Create(inv, $"{r.InboundHop.Count}/{r.OutboundHop.Count}"));
        Plain("errors", r => r.ErrorCount.ToString(inv));
        Plain("load average before → after", r => r.LoadAverageBefore is { } before ? string.Create(inv, $"{before:F1}→{r.LoadAverageAfter:F1}") : "—");
        Plain("load tool + simulator (cores)", r => r.LoadTool is { } t ? t.AverageCores.ToString("F2", inv) : "—");
        foreach (var (name, report) in runs)
        {
            foreach (var error in report.Errors)
            {
                text.AppendLine(string.Create(inv, $"  {name}: {error.Kind} ×{error.Count} (e.g. {error.Example})"));
            }
        }

        return text.ToString();

        void Ratio(string label, Func<LoadReport, double?> figure, string format)
        {
            var row = new StringBuilder(label.PadRight(NameWidth));
            foreach (var (_, report) in runs)
            {
                row.Append((figure(report) is { } value ? value.ToString(format, inv) : "—").PadLeft(ColumnWidth));
            }

            var reference = figure(runs[0].Report);
            foreach (var (_, report) in runs.Skip(1))
            {
                var other = figure(report);
                row.Append((reference is { } a && other is { } b && b > 0 ? (a / b).ToString("F2", inv) : "—").PadLeft(ColumnWidth + 2));
            }

            text.AppendLine(row.ToString().TrimEnd());
        }

        void Plain(string label, Func<LoadReport, string> figure)
        {
            var row = new StringBuilder(label.PadRight(NameWidth));
            foreach (var (_, report) in runs)
            {
                row.Append(figure(report).PadLeft(ColumnWidth));
            }

            text.AppendLine(row.ToString().TrimEnd());
        }
    }
}
