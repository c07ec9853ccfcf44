extern alias cli;

using System.Globalization;
using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using cli::VoiceBridge.Cli.Call;
using VoiceBridge.Realtime.Transport;
using VoiceBridge.Server.Core;

namespace VoiceBridge.EndToEnd.Tests.Faults;

/// <summary>
/// A real call through the bridge while the fault proxy breaks every upstream connection the same way: each fault
/// ends in a bounded time with a clear outcome, and afterwards no call, socket or pooled frame is left behind.
/// </summary>
[Collection(nameof(UpstreamFaultGroup))]
public sealed class UpstreamFaultTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static IReadOnlyDictionary<string, string> FastFaultDetection { get; } = new Dictionary<string, string>
    {
        ["Upstream:ConnectTimeout"] = "00:00:01",
        ["Upstream:KeepAliveInterval"] = "00:00:01",
        ["Upstream:KeepAliveTimeout"] = "00:00:01",
    };

    // Refuse and hang fail the first connect (the call ends at once, nothing to resume); garbage and stall break every
    // session once it is up, so each reconnect fails the same way until the attempts are used up.
    [Theory]
    [InlineData(UpstreamFault.Refuse)]
    [InlineData(UpstreamFault.HangDuringConnect)]
    [InlineData(UpstreamFault.Garbage)]
    [InlineData(UpstreamFault.Stall)]
    internal async Task BrokenUpstream_EndsTheCallWithUpstreamUnavailable_AndLeaksNothing(UpstreamFault fault)
    {
        var outcome = await RunCallAsync(_ => fault, OneReconnect, silenceSeconds: 7);

        Assert.Equal(FakeTwilioCallOutcome.ClosedByServer, outcome.Result.Outcome);
        Assert.Equal(WebSocketCloseStatus.InternalServerError, outcome.Result.CloseStatus);
        Assert.Equal("upstream unavailable", outcome.Result.CloseDescription);
    }

    private static readonly Dictionary<string, string> OneReconnect = new() { ["Session:ReconnectAttempts"] = "1" };

    [Fact]
    public async Task SlowUpstream_CallCompletesAndTheReplyIsHeard()
    {
        var outcome = await RunCallAsync(_ => UpstreamFault.Delay);

        Assert.Equal(FakeTwilioCallOutcome.Completed, outcome.Result.Outcome);
        Assert.True(outcome.Result.BytesReceived > Signals.Rate / 2, $"heard {outcome.Result.BytesReceived / 8.0} ms of reply");
    }

    /// <summary>
    /// One call (1 s of speech the simulator echoes, then silence) through a bridge whose upstream goes through the
    /// proxy; checks the leak invariants and returns what the caller saw.
    /// </summary>
    internal static async Task<FaultCallOutcome> RunCallAsync(
        Func<int, UpstreamFault> faults,
        IReadOnlyDictionary<string, string>? settings = null,
        double speechSeconds = 1.0,
        double silenceSeconds = 2.0,
        int utterances = 1,
        Func<BridgeUnderTest, string, Task>? inspect = null)
    {
        var framesBefore = RealtimeMessage.Outstanding;
        FaultProxy? proxy = null;
        FakeTwilioCallResult result;
        int connects;
        try
        {
            var merged = new Dictionary<string, string>(FastFaultDetection);
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                merged[key] = value;
            }

            await using var bridge = await BridgeUnderTest.StartAsync(
                route: target => (proxy = new FaultProxy(target, faults)).Uri, settings: [.. merged.Select(pair => (pair.Key, pair.Value))]);
            var utterance = Signals.Voice(seconds: speechSeconds, silenceAfterSeconds: silenceSeconds);
            var speech = Signals.ToMuLaw([.. Enumerable.Repeat(utterance, utterances).SelectMany(samples => samples)]);
            using var http = new HttpClient();
            using var call = new FakeTwilioCall(
                new FakeTwilioCallOptions { ServerUrl = bridge.BaseUri, AuthToken = BridgeUnderTest.AuthToken, CallerAudio = speech, Tail = TimeSpan.FromSeconds(1), PlayoutDelay = TimeSpan.FromMilliseconds(200) },
                http);

            // Bounded: whatever the fault, the call is over well within this.
            result = await call.RunAsync(Ct).WaitAsync(TimeSpan.FromSeconds(40), Ct);
            await bridge.Services.GetRequiredService<CallRegistry>().WhenEmpty.WaitAsync(TimeSpan.FromSeconds(10), Ct);
            // The bridge let go of every upstream socket: the proxy saw each connection close.
            await proxy!.WhenIdle.WaitAsync(TimeSpan.FromSeconds(10), Ct);
            connects = bridge.Connector.Connects;
            if (inspect is not null)
            {
                await inspect(bridge, call.CallSid);
            }
        }
        finally
        {
            if (proxy is not null)
            {
                await proxy.DisposeAsync();
            }
        }

        // Every pooled frame of the call went back (the host is disposed: nothing can still hold one).
        Assert.Equal(framesBefore, RealtimeMessage.Outstanding);
        Figures.Report(string.Create(CultureInfo.InvariantCulture,
            $"upstream fault {faults(0)}: caller saw {result.Outcome} ({result.CloseStatus}) after {result.Duration.TotalSeconds:F2} s, {result.BytesReceived / 8.0:F0} ms of reply heard, {connects} upstream connects"));
        return new FaultCallOutcome(result, connects);
    }
}
