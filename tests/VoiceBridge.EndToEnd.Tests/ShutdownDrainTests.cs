extern alias cli;

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using cli::VoiceBridge.Cli.Call;

namespace VoiceBridge.EndToEnd.Tests;

/// <summary>SIGTERM to a real server process with a live call: drain, refuse, keep the live call, close it, exit 0.</summary>
public sealed class ShutdownDrainTests
{
    private const int DrainSeconds = 4;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sigterm_RefusesNewCalls_KeepsTheLiveCallUntilTheDrainEnds_ThenClosesItAndExitsZero()
    {
        var audit = Directory.CreateTempSubdirectory("voicebridge-drain-");
        await using var bridge = await BridgeProcess.StartAsync(new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Twilio__AuthToken"] = BridgeUnderTest.AuthToken,
            ["Audit__Directory"] = audit.FullName,
            ["Shutdown__DrainSeconds"] = DrainSeconds.ToString(CultureInfo.InvariantCulture),
        });
        using var http = new HttpClient();

        // Four utterances the simulator echoes, 2.7 s apart: the call outlasts the drain, so the server must end it.
        var utterance = Signals.Voice(seconds: 1.0, silenceAfterSeconds: 1.7);
        var speech = Signals.ToMuLaw([.. Enumerable.Repeat(utterance, 4).SelectMany(samples => samples)]);
        using var live = new FakeTwilioCall(
            new FakeTwilioCallOptions { ServerUrl = bridge.BaseUri, AuthToken = BridgeUnderTest.AuthToken, CallerAudio = speech, Tail = TimeSpan.FromSeconds(1), PlayoutDelay = TimeSpan.FromMilliseconds(200) },
            http);
        var liveRun = live.RunAsync(Ct);
        // The call sid appears quoted in structured (JSON) logs and bare in plain ones: match it, then the event.
        await bridge.WaitForLineAsync(live.CallSid, "started, stream", TimeSpan.FromSeconds(20));
        var streamStarted = Stopwatch.StartNew();

        bridge.Terminate();
        var sigtermAt = streamStarted.Elapsed;
        await bridge.WaitForLineAsync("Shutdown: draining 1 live calls", TimeSpan.FromSeconds(10));

        using (var ready = await http.GetAsync(new Uri(bridge.BaseUri, "/readyz"), Ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        }

        using var refused = new FakeTwilioCall(
            new FakeTwilioCallOptions { ServerUrl = bridge.BaseUri, AuthToken = BridgeUnderTest.AuthToken, CallerAudio = speech.AsMemory(0, 1600), Tail = TimeSpan.Zero },
            http);
        var refusedResult = await refused.RunAsync(Ct).WaitAsync(TimeSpan.FromSeconds(20), Ct);
        // The webhook answered <Say>…<Hangup/>, not a stream: the fake caller reports the bridge busy.
        Assert.Equal(FakeTwilioCallOutcome.Busy, refusedResult.Outcome);

        var result = await liveRun.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        var exitCode = await bridge.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(FakeTwilioCallOutcome.ClosedByServer, result.Outcome);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, result.CloseStatus);
        Assert.Equal("server shutting down", result.CloseDescription);
        // The echo of the utterances spoken after SIGTERM was heard: the call kept flowing through the drain.
        var afterSigterm = (int)((sigtermAt.TotalSeconds + 1.0) * Signals.Rate);
        var heardAfter = result.Heard.Length > afterSigterm ? result.Heard.Span[afterSigterm..] : [];
        var voiced = heardAfter.Length - heardAfter.Count((byte)0xFF) - heardAfter.Count((byte)0x7F);
        Figures.Report(string.Create(CultureInfo.InvariantCulture,
            $"shutdown drain: SIGTERM {sigtermAt.TotalSeconds:F2} s into the call, call closed by the server after {result.Duration.TotalSeconds:F2} s (drain {DrainSeconds} s), {voiced / 8.0:F0} ms of reply audio heard more than 1 s after SIGTERM, exit code {exitCode}"));
        Assert.True(voiced > Signals.Rate / 2, $"only {voiced / 8.0} ms of reply heard after SIGTERM");
        Assert.True(streamStarted.Elapsed >= TimeSpan.FromSeconds(DrainSeconds) - TimeSpan.FromMilliseconds(100), "the live call was closed before the drain ended");
        Assert.Equal(0, exitCode);
        Assert.Contains("Shutdown: 1 calls still live after the drain; closing them", bridge.Output, StringComparison.Ordinal);
        Assert.Contains("Shutdown: no live calls left", bridge.Output, StringComparison.Ordinal);
        audit.Delete(recursive: true);
    }
}
