extern alias cli;

using System.Globalization;
using System.Text.Json;
using cli::VoiceBridge.Cli.Load;

namespace VoiceBridge.EndToEnd.Tests;

/// <summary>
/// CI smoke of <c>voicebridge load</c>'s library: a few calls for a few seconds against the real bridge on loopback,
/// its upstream the simulator the load tool hosts. Correctness only (every call set up and paired, every frame matched
/// across the bridge, no error, the report's shape); speed is the load tool's to measure, never a test's.
/// </summary>
public sealed class LoadSmokeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task LoadRun_FewCalls_EveryCallPairedEveryFrameMatched_NoErrors_ReportCarriesTheFigures()
    {
        await using var upstream = new LoadUpstream();
        await upstream.StartAsync(Ct);
        // Settings apply after the defaults: the bridge calls the load tool's simulator, not its own.
        await using var bridge = await BridgeUnderTest.StartAsync(settings: ("Upstream:Endpoint", upstream.Uri.AbsoluteUri));
        var options = new LoadOptions
        {
            BridgeUrl = bridge.BaseUri,
            Calls = 4,
            Ramp = TimeSpan.FromSeconds(0.5),
            Duration = TimeSpan.FromSeconds(4),
            AuthToken = BridgeUnderTest.AuthToken,
            BridgePid = Environment.ProcessId, // the bridge runs in this test process
            SampleInterval = TimeSpan.FromMilliseconds(250),
        };

        var report = await LoadRunner.RunAsync(options, upstream, progress: null, Ct).WaitAsync(TimeSpan.FromSeconds(60), Ct);

        Figures.Report(string.Create(CultureInfo.InvariantCulture,
            $"load smoke: {report.CallsHeld} calls, {report.Frames.InboundSent} frames in, {report.Frames.OutboundDeltasSent} deltas out, {report.Responses} responses, {report.BargeIns} barge-ins; hop p99 in {report.InboundHop.P99Ms:F2} ms, out {report.OutboundHop.P99Ms:F2} ms (loaded test machine, not a capacity figure)"));
        Assert.True(report.ErrorCount == 0, string.Join("; ", report.Errors.Select(e => $"{e.Kind} ×{e.Count}: {e.Example}")));
        Assert.Equal(4, report.CallsHeld);
        Assert.Equal(4, report.MaxCallsUp);
        Assert.Equal(4, bridge.Connector.Connects);
        Assert.Equal(4, report.Setup.Count);
        var frames = report.Frames;
        Assert.True(frames.InboundSent >= 4 * 4 * 50, $"{frames.InboundSent} frames sent");
        Assert.Equal(frames.InboundSent, frames.InboundArrived);
        Assert.Equal(0, frames.InboundDropped);
        Assert.Equal(frames.InboundSent, report.InboundHop.Count);
        Assert.True(frames.OutboundDeltasSent > 0, "no reply was streamed: the simulator's VAD found no turn in the callers' speech");
        Assert.Equal(frames.OutboundDeltasSent, frames.OutboundDeltasArrived);
        Assert.Equal(0, frames.OutboundDropped);
        Assert.True(report.OutboundHop.Count > 0);
        Assert.True(report.Responses > 0);
        AssertReportShape(report);
    }

    // The JSON carries every figure the table shows; the HTML is self-contained.
    private static void AssertReportShape(LoadReport report)
    {
        using var json = JsonDocument.Parse(report.ToJson());
        var root = json.RootElement;
        Assert.Equal(4, root.GetProperty("callsHeld").GetInt32());
        Assert.Equal(0, root.GetProperty("errorCount").GetInt64());
        foreach (var latency in new[] { "setup", "inboundHop", "outboundHop", "firstAudio" })
        {
            var summary = root.GetProperty(latency);
            foreach (var field in new[] { "count", "p50Ms", "p99Ms", "p999Ms", "maxMs", "buckets" })
            {
                Assert.True(summary.TryGetProperty(field, out _), $"{latency}.{field} missing");
            }
        }

        Assert.True(root.GetProperty("inboundHop").GetProperty("count").GetInt64() > 0);
        Assert.True(root.GetProperty("frames").TryGetProperty("inboundDropped", out _));
        Assert.True(root.GetProperty("frames").TryGetProperty("outboundDropped", out _));
        Assert.True(root.GetProperty("bridge").TryGetProperty("cpuMsPerCallMinute", out _));
        Assert.True(root.GetProperty("bridge").TryGetProperty("rssPerCallKiB", out _));
        Assert.True(root.GetProperty("timeline").GetArrayLength() >= 2);

        var table = LoadTable.Format(report);
        Assert.Contains("bridge hop in", table, StringComparison.Ordinal);
        Assert.Contains("bridge hop out", table, StringComparison.Ordinal);
        Assert.Contains("4 / 4", table, StringComparison.Ordinal);

        var html = LoadHtmlReport.Render(report);
        Assert.Contains("<svg", html, StringComparison.Ordinal);
        // Self-contained: nothing fetched from anywhere.
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
    }
}
