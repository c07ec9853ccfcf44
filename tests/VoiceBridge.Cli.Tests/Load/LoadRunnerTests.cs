using System.Globalization;
using VoiceBridge.Cli.Floor;
using VoiceBridge.Cli.Load;

namespace VoiceBridge.Cli.Tests.Load;

/// <summary>
/// The load tool against the two comparators that are not our bridge: the floor (a bare relay, the simulator answering
/// in Twilio's framing) and a bridge shaped like Twilio's Node sample (pcmu session, wss:// TwiML served over ws, one
/// media message and one mark per delta). Correctness only: every call held, every frame matched both ways, the hops
/// timed; speed is the tool's to measure, never a test's.
/// </summary>
public sealed class LoadRunnerTests
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task AgainstTheFloor_EveryCallHeld_EveryFrameMatchedBothWays_NoErrors()
    {
        await using var upstream = new LoadUpstream();
        await upstream.StartAsync(Ct);
        await using var floor = new FloorServer(upstream.TwilioUri);
        await floor.StartAsync(Ct);

        var report = await LoadRunner.RunAsync(Options(floor.BaseUri), upstream, progress: null, Ct).WaitAsync(RunTimeout, Ct);

        AssertClean(report, "floor");
        // The simulator answers the floor in our bridge's framing: 20 ms media frames, one mark per 100 ms delta.
        Assert.True(report.Frames.OutboundMediaFrames >= 4 * report.Frames.OutboundDeltasSent, $"{report.Frames.OutboundMediaFrames} media frames for {report.Frames.OutboundDeltasSent} deltas");
        Assert.NotNull(report.Bridge?.WakeUpsPerCallFrame);
    }

    [Fact]
    public async Task AgainstAPcmuBridgeWithWssTwiml_WithPlainWs_EveryCallHeld_EveryFrameMatchedBothWays_NoErrors()
    {
        await using var upstream = new LoadUpstream();
        await upstream.StartAsync(Ct);
        await using var bridge = new PcmuBridge(upstream.Uri);
        await bridge.StartAsync();

        var report = await LoadRunner.RunAsync(Options(bridge.BaseUri) with { PlainWebSocketOnLoopback = true }, upstream, progress: null, Ct).WaitAsync(RunTimeout, Ct);

        AssertClean(report, "pcmu bridge");
        // One media message per delta: 100 ms of μ-law each, so the simulator honoured audio/pcmu output.
        Assert.Equal(report.Frames.OutboundDeltasSent, report.Frames.OutboundMediaFrames);
    }

    [Fact]
    public async Task AgainstAPcmuBridgeWithWssTwiml_WithoutPlainWs_TheStreamIsRefused_AndCounted()
    {
        await using var upstream = new LoadUpstream();
        await upstream.StartAsync(Ct);
        await using var bridge = new PcmuBridge(upstream.Uri);
        await bridge.StartAsync();

        var report = await LoadRunner.RunAsync(Options(bridge.BaseUri) with { Calls = 1, Duration = TimeSpan.FromSeconds(1) }, upstream, progress: null, Ct).WaitAsync(RunTimeout, Ct);

        Assert.Equal(0, report.CallsHeld);
        Assert.Equal(1, report.CallsRefused);
        Assert.Contains(report.Errors, e => e.Kind == "call-streamrefused");
    }

    [Fact]
    public void Comparison_PutsRunsSideBySide_WithTheFirstOnesRatios()
    {
        static LoadReport Report(double cpu, double hopMs) => new()
        {
            StartedAt = DateTimeOffset.UnixEpoch,
            BridgeUrl = "http://127.0.0.1:1/",
            CallsRequested = 100,
            CallsHeld = 100,
            DurationSeconds = 30,
            RampSeconds = 20,
            Setup = Summary(1),
            InboundHop = Summary(hopMs),
            OutboundHop = Summary(hopMs),
            FirstAudio = Summary(500),
            Frames = new FrameCounts(),
            Bridge = new ProcessFigures { CpuMsPerCallMinute = cpu, RssPerCallKiB = 100, WakeUpsPerCallFrame = 2, ContextSwitchesPerCallFrame = 4 },
        };

        var table = LoadComparison.Format([("ours", Report(400, 1.0)), ("floor", Report(100, 0.5)), ("node", Report(200, 0.25))]);
        var cpuRow = table.Split('\n').Single(l => l.StartsWith("CPU per call-minute", StringComparison.Ordinal));

        Assert.Contains("ours ÷ floor", table, StringComparison.Ordinal);
        Assert.Contains("ours ÷ node", table, StringComparison.Ordinal);
        Assert.Equal(["400.0", "100.0", "200.0", "4.00", "2.00"], cpuRow["CPU per call-minute (ms)".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"hop caller → upstream p50 \(ms\) +1\.000 +0\.500 +0\.250 +2\.00 +4\.00", table);
    }

    private static LatencySummary Summary(double ms) => new() { Count = 1, P50Ms = ms, P99Ms = ms, P999Ms = ms, MaxMs = ms };

    private static LoadOptions Options(Uri bridge) => new()
    {
        BridgeUrl = bridge,
        Calls = 3,
        Ramp = TimeSpan.FromSeconds(0.5),
        Duration = TimeSpan.FromSeconds(4),
        BridgePid = Environment.ProcessId, // the contender runs in this test process
        SampleInterval = TimeSpan.FromMilliseconds(250),
    };

    private static void AssertClean(LoadReport report, string what)
    {
        Assert.True(report.ErrorCount == 0, what + ": " + string.Join("; ", report.Errors.Select(e => $"{e.Kind} ×{e.Count}: {e.Example}")));
        Assert.Equal(3, report.CallsHeld);
        Assert.Equal(0, report.CallsRefused);
        var frames = report.Frames;
        Assert.True(frames.InboundSent >= 3 * 4 * 50, string.Create(CultureInfo.InvariantCulture, $"{frames.InboundSent} frames sent"));
        Assert.Equal(frames.InboundSent, frames.InboundArrived);
        Assert.Equal(frames.InboundSent, report.InboundHop.Count);
        Assert.True(frames.OutboundDeltasSent > 0, "no reply was streamed: the simulator's VAD found no turn in the callers' speech");
        Assert.Equal(frames.OutboundDeltasSent, frames.OutboundDeltasArrived);
        Assert.Equal(0, frames.OutboundDropped);
        Assert.True(report.OutboundHop.Count > 0);
        Assert.True(report.Responses > 0);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
}
