using System.Globalization;
using System.Text;

namespace VoiceBridge.Cli.Load;

/// <summary>The report as a plain-text table (what <c>voicebridge load</c> prints and the README quotes).</summary>
public static class LoadTable
{
    public static string Format(LoadReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        void Line(FormattableString line) => text.AppendLine(line.ToString(inv));
        var load = report.LoadAverageBefore is { } before ? string.Create(inv, $", load average {before:F2} → {report.LoadAverageAfter:F2}") : string.Empty;
        Line($"voicebridge load: {report.CallsRequested} calls against {report.BridgeUrl}, ramp {report.RampSeconds:F0} s, all held {report.DurationSeconds:F0} s ({report.ProcessorCount} cores{load})");
        Line($"{"latency (ms)",-38}{"p50",10}{"p99",10}{"p99.9",10}{"max",10}{"samples",11}");
        Latency("call setup (webhook → upstream open)", report.Setup);
        Latency("bridge hop in (caller → upstream)", report.InboundHop);
        Latency("bridge hop out (upstream → caller)", report.OutboundHop);
        Latency("first audio (speech end → reply)", report.FirstAudio);
        var f = report.Frames;
        Line($"{"calls held",-38}{report.CallsHeld:N0} / {report.CallsRequested:N0} (most up at once {report.MaxCallsUp:N0}; {report.CallsRefused:N0} refused)");
        if (report.HostedSimulator)
        {
            Line($"{"frames in (20 ms)",-38}{f.InboundSent:N0} sent, {f.InboundArrived:N0} arrived, {f.InboundDropped:N0} dropped");
            Line($"{"frames out (100 ms deltas)",-38}{f.OutboundDeltasSent:N0} sent, {f.OutboundDeltasArrived:N0} arrived, {f.OutboundDropped:N0} dropped ({f.OutboundMediaFrames:N0} media frames)");
            Line($"{"turns",-38}{report.Responses:N0} responses, {report.BargeIns:N0} barge-ins (clears)");
        }
        else
        {
            Line($"{"frames",-38}{f.InboundSent:N0} sent, {f.OutboundMediaFrames:N0} media frames received (no hosted simulator: nothing timed across the bridge)");
        }

        Line($"{"errors",-38}{report.ErrorCount:N0}");
        foreach (var error in report.Errors)
        {
            Line($"  {error.Kind}: {error.Count:N0} (e.g. {error.Example})");
        }

        if (report.Bridge is { } b)
        {
            Line($"{"bridge CPU",-38}{b.CpuMsPerCallMinute:F1} ms per call-minute ({b.AverageCores:F2} cores over {b.WindowSeconds:F0} s)");
            Line($"{"bridge memory",-38}{b.RssPerCallKiB:F1} KiB per call (RSS {b.SteadyRssBytes / 1048576.0:F1} MiB steady − {b.BaselineRssBytes / 1048576.0:F1} MiB before calls)");
            if (b.ContextSwitchesPerCallFrame is { } perFrame)
            {
                Line($"{"bridge context switches",-38}{perFrame:F2} per call per 20 ms, {b.WakeUpsPerCallFrame:F2} of them wake-ups ({b.VoluntaryContextSwitches:N0} voluntary, {b.InvoluntaryContextSwitches:N0} involuntary: yields, preemption)");
            }
        }

        if (report.LoadTool is { } t)
        {
            Line($"{"load tool (+ simulator) CPU / RSS",-38}{t.AverageCores:F2} cores, {t.SteadyRssBytes / 1048576.0:F1} MiB");
        }

        return text.ToString();

        void Latency(string name, LatencySummary s) => text.AppendLine(s.Count == 0
            ? string.Create(inv, $"{name,-38}{"—",10}")
            : string.Create(inv, $"{name,-38}{s.P50Ms,10:F3}{s.P99Ms,10:F3}{s.P999Ms,10:F3}{s.MaxMs,10:F1}{s.Count,11:N0}"));
    }
}
