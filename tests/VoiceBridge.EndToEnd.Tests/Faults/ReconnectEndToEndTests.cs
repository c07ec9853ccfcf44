extern alias cli;

using System.Globalization;
using System.Net.WebSockets;
using cli::VoiceBridge.Cli.Call;

namespace VoiceBridge.EndToEnd.Tests.Faults;

/// <summary>A call that outlives its upstream session: dropped mid-reply, or rotated at the session limit.</summary>
[Collection(nameof(UpstreamFaultGroup))]
public sealed class ReconnectEndToEndTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<string> AuditTrailAsync(BridgeUnderTest bridge, string callSid)
    {
        using var http = bridge.AdminClient();
        using var response = await http.GetAsync(new Uri($"/calls/{callSid}/audit", UriKind.Relative), Ct);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync(Ct);
    }

    [Fact]
    public async Task UpstreamDroppedMidReply_CallReconnectsAndGoesOn_TheNextReplyIsHeard_AndTheGapIsAudited()
    {
        var audit = Directory.CreateTempSubdirectory("voicebridge-reconnect-");
        string? trail = null;
        var settings = new Dictionary<string, string> { ["Audit:Directory"] = audit.FullName };

        // The first session dies while the echo of the first utterance streams; later sessions are healthy.
        var outcome = await UpstreamFaultTests.RunCallAsync(
            index => index == 0 ? UpstreamFault.CloseMidResponse : UpstreamFault.None, settings, silenceSeconds: 1.7, utterances: 2,
            inspect: async (bridge, callSid) => trail = await AuditTrailAsync(bridge, callSid));

        var result = outcome.Result;
        Assert.Equal(FakeTwilioCallOutcome.Completed, result.Outcome);
        Assert.Equal(2, outcome.UpstreamConnects);
        // The second utterance ends at 3.7 s; its echo (1 s) plays after the simulator's 500 ms end of speech.
        var afterSecond = (int)(3.7 * Signals.Rate);
        var heardAfter = result.Heard.Length > afterSecond ? result.Heard.Span[afterSecond..] : [];
        var voiced = heardAfter.Length - heardAfter.Count((byte)0xFF) - heardAfter.Count((byte)0x7F);
        Figures.Report(string.Create(CultureInfo.InvariantCulture,
            $"reconnect after a mid-reply drop: {voiced / 8.0:F0} ms of the next reply heard on the new upstream session; {result.BytesReceived / 8.0:F0} ms of reply in all"));
        Assert.True(voiced > Signals.Rate / 2, $"only {voiced / 8.0} ms heard after the reconnect");
        Assert.NotNull(trail);
        Assert.Contains("bridge.upstream_gap", trail, StringComparison.Ordinal);
        Assert.Contains("resumed", trail, StringComparison.Ordinal);
        audit.Delete(recursive: true);
    }

    [Fact]
    public async Task UpstreamThatNeverComesBack_EndsTheCallWithUpstreamUnavailable_AfterTheAttempts()
    {
        var outcome = await UpstreamFaultTests.RunCallAsync(
            index => index == 0 ? UpstreamFault.CloseMidResponse : UpstreamFault.Refuse, silenceSeconds: 4);

        Assert.Equal(FakeTwilioCallOutcome.ClosedByServer, outcome.Result.Outcome);
        Assert.Equal(WebSocketCloseStatus.InternalServerError, outcome.Result.CloseStatus);
        Assert.Equal(1 + 3, outcome.UpstreamConnects);
    }

    [Fact]
    public async Task SessionLimit_RotatesToAFreshUpstreamSession_AndBothRepliesAreHeard()
    {
        var outcome = await UpstreamFaultTests.RunCallAsync(
            _ => UpstreamFault.None, new Dictionary<string, string> { ["Session:UpstreamSessionLimit"] = "00:00:02" }, silenceSeconds: 1.7, utterances: 2);

        var result = outcome.Result;
        Assert.Equal(FakeTwilioCallOutcome.Completed, result.Outcome);
        Assert.True(outcome.UpstreamConnects >= 2, $"{outcome.UpstreamConnects} upstream sessions");
        Assert.True(result.BytesReceived > 1.5 * Signals.Rate, $"heard {result.BytesReceived / 8.0} ms of reply for two 1 s utterances");
    }
}
