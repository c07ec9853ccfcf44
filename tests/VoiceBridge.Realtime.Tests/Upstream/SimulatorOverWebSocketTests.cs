using System.Text;
using VoiceBridge.Cli.Simulator;
using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Realtime.Simulator;
using VoiceBridge.Realtime.Tests.Simulator;
using VoiceBridge.Realtime.Transport;
using VoiceBridge.Realtime.Upstream;

namespace VoiceBridge.Realtime.Tests.Upstream;

/// <summary>The upstream client against the simulator served over a real loopback WebSocket: one whole spoken turn.</summary>
public sealed class SimulatorOverWebSocketTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Client_CompletesASpokenTurn_AgainstTheSimulatorServer()
    {
        await using var server = new SimulatorServer(new SimulatorOptions { Pacing = SimulatorPacing.Fast }, TimeProvider.System);
        await server.StartAsync(Ct);
        var logger = new ListLogger<WebSocketRealtimeConnector>();
        var connector = new WebSocketRealtimeConnector(
            new UpstreamSettings { Provider = UpstreamProvider.Simulator, Endpoint = server.Uri },
            TimeProvider.System,
            logger);

        var connected = await connector.ConnectAsync(Ct).AsTask().WaitAsync(Guard, Ct);
        Assert.True(connected.IsConnected, connected.Failure?.Description);
        await using var connection = connected.Connection!;

        Assert.IsType<SessionCreatedEvent>(await ReceiveEventAsync(connection));
        Assert.True(await connection.SendAsync(RealtimeMessage.Copy(Encoding.UTF8.GetBytes(SimulatorHarness.PcmuSession), RealtimeMessageKind.Control), Ct));
        Assert.IsType<SessionUpdatedEvent>(await ReceiveEventAsync(connection));

        // 300 ms of silence, 700 ms of a 220 Hz tone at speech level, 700 ms of silence: 20 ms μ-law frames.
        var audio = SimulatorHarness.Utterance(leadSilenceMs: 300, speechMs: 700, trailSilenceMs: 700);
        for (var offset = 0; offset < audio.Length; offset += 160)
        {
            Assert.True(await connection.SendAsync(RealtimeAudioFrames.WriteInputAudioBufferAppend(audio.AsSpan(offset, 160)), Ct));
        }

        var events = new List<RealtimeEvent>();
        while (events.LastOrDefault() is not ResponseDoneEvent)
        {
            events.Add(await ReceiveEventAsync(connection));
        }

        var speechStarted = events.FindIndex(e => e is SpeechStartedEvent);
        var firstDelta = events.FindIndex(e => e is ResponseOutputAudioDeltaEvent);
        Assert.InRange(speechStarted, 0, firstDelta - 1);
        Assert.Equal(300, ((SpeechStartedEvent)events[speechStarted]).AudioStartMs);
        var echo = events.OfType<ResponseOutputAudioDeltaEvent>().SelectMany(d => Convert.FromBase64String(d.Delta!)).ToArray();
        Assert.Equal(audio.AsSpan(0, 1000 * 8).ToArray(), echo);
        Assert.Equal(RealtimeResponse.Completed, ((ResponseDoneEvent)events[^1]).Response!.Status);
        Assert.Equal(0, connection.DroppedAudioMessages);

        await connection.CloseAsync(Ct).AsTask().WaitAsync(Guard, Ct);
        var end = await connection.ReceiveAsync(Ct).AsTask().WaitAsync(Guard, Ct);
        Assert.Equal(UpstreamEndReason.ClosedByUs, end.End!.Reason);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"one turn over loopback: {events.Count} server events, {events.OfType<ResponseOutputAudioDeltaEvent>().Count()} audio deltas, {echo.Length} bytes of μ-law echoed");
    }

    private static async Task<RealtimeEvent> ReceiveEventAsync(IRealtimeConnection connection)
    {
        var result = await connection.ReceiveAsync(Ct).AsTask().WaitAsync(Guard, Ct);
        Assert.False(result.IsEnd, result.End?.Description);
        using var message = result.Message;
        Assert.True(RealtimeEventSerializer.TryParse(message.Span, out var parsed));
        return parsed;
    }
}
