extern alias cli;

using System.Globalization;
using cli::VoiceBridge.Cli.Load;
using cli::VoiceBridge.Cli.Watch;

namespace VoiceBridge.EndToEnd.Tests;

/// <summary>
/// CI smoke of <c>voicebridge watch</c>'s library (the dashboard benchmark's viewers, the official .NET SignalR client)
/// against the real bridge while the load tool's calls run: the viewers log in, stay connected, see the calls, read
/// updates coalesced to the bridge's interval and time them. Correctness only; the figures are the benchmark's.
/// </summary>
public sealed class WatchSmokeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WatchRun_TwoViewers_DuringCalls_StayConnected_SeeTheCalls_GetCoalescedUpdates()
    {
        await using var upstream = new LoadUpstream();
        await upstream.StartAsync(Ct);
        // A keyframe (the viewers' list of live calls) every second, so the short window sees one.
        await using var bridge = await BridgeUnderTest.StartAsync(settings: [("Upstream:Endpoint", upstream.Uri.AbsoluteUri), ("Ops:KeyframeSeconds", "1")]);
        var load = LoadRunner.RunAsync(new LoadOptions
        {
            BridgeUrl = bridge.BaseUri,
            Calls = 3,
            Ramp = TimeSpan.FromSeconds(0.3),
            Duration = TimeSpan.FromSeconds(8),
            AuthToken = BridgeUnderTest.AuthToken,
            BridgePid = Environment.ProcessId,
            SampleInterval = TimeSpan.FromMilliseconds(250),
        }, upstream, progress: null, Ct);

        // Measured while the calls are up (past the ramp, before they end).
        var report = await WatchRunner.RunAsync(new WatchOptions
        {
            BridgeUrl = bridge.BaseUri,
            Key = BridgeUnderTest.AdminKey,
            Viewers = 2,
            Warmup = TimeSpan.FromSeconds(1.5),
            Duration = TimeSpan.FromSeconds(2.5),
        }, TextWriter.Null, Ct).WaitAsync(TimeSpan.FromSeconds(60), Ct);
        var calls = await load.WaitAsync(TimeSpan.FromSeconds(60), Ct);

        Figures.Report(string.Create(CultureInfo.InvariantCulture,
            $"watch smoke: {report.Connected} viewers, {report.CallsSeen} calls seen, {report.BytesPerSecondMean:F0} B/s per viewer, {report.LatencySamples} rows timed, update latency p99 {report.LatencyP99Ms:F0} ms, most updates of one call in a second {report.MaxUpdatesPerCallSecond} (loaded test machine, not a benchmark figure)"));
        Assert.Equal(3, calls.CallsHeld);
        Assert.Equal(2, report.Connected);
        Assert.Equal(0, report.Disconnected);
        Assert.Equal(3, report.CallsSeen);
        Assert.True(report.LatencySamples > 0, "no update was timed");
        Assert.True(report.BytesPerSecondMin > 0);
        // Ops:UpdateIntervalMs is 250: at most one update per call per interval, whatever the call's event rate.
        Assert.InRange(report.MaxUpdatesPerCallSecond, 1, 5);
    }
}
