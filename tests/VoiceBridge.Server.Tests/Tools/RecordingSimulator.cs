using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using VoiceBridge.Realtime.Simulator;
using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Server.Tests.Tools;

/// <summary>The embedded simulator (fast pacing) with every client event the bridge sent to it readable in order.</summary>
internal sealed class RecordingSimulator(SimulatorOptions options) : IRealtimeConnector
{
    private readonly SimulatorConnector _inner = new(options with { Pacing = SimulatorPacing.Fast }, TimeProvider.System);
    private readonly Channel<string> _sent = Channel.CreateUnbounded<string>();

    public async ValueTask<RealtimeConnectResult> ConnectAsync(CancellationToken cancellationToken)
    {
        var result = await _inner.ConnectAsync(cancellationToken);
        return result.IsConnected ? RealtimeConnectResult.Connected(new Connection(result.Connection!, _sent.Writer)) : result;
    }

    /// <summary>The next client event that is not audio.</summary>
    public async Task<JsonNode> NextControlAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            var next = JsonNode.Parse(await _sent.Reader.ReadAsync(timeout.Token))!;
            if (next["type"]!.GetValue<string>() != "input_audio_buffer.append")
            {
                return next;
            }
        }
    }

    /// <summary>Client events up to and including the first of <paramref name="type"/>.</summary>
    public async Task<List<JsonNode>> UntilAsync(string type)
    {
        var seen = new List<JsonNode>();
        while (true)
        {
            var next = await NextControlAsync();
            seen.Add(next);
            if (next["type"]!.GetValue<string>() == type)
            {
                return seen;
            }
        }
    }

    /// <summary>The non-audio client events recorded and not read yet.</summary>
    public List<JsonNode> Drain()
    {
        var rest = new List<JsonNode>();
        while (_sent.Reader.TryRead(out var json))
        {
            var next = JsonNode.Parse(json)!;
            if (next["type"]!.GetValue<string>() != "input_audio_buffer.append")
            {
                rest.Add(next);
            }
        }

        return rest;
    }

    private sealed class Connection(IRealtimeConnection inner, ChannelWriter<string> sent) : IRealtimeConnection
    {
        public long DroppedAudioMessages => inner.DroppedAudioMessages;

        public ValueTask<bool> SendAsync(RealtimeMessage message, CancellationToken cancellationToken)
        {
            sent.TryWrite(Encoding.UTF8.GetString(message.Span));
            return inner.SendAsync(message, cancellationToken);
        }

        public ValueTask<RealtimeReceiveResult> ReceiveAsync(CancellationToken cancellationToken) => inner.ReceiveAsync(cancellationToken);

        public ValueTask CloseAsync(CancellationToken cancellationToken) => inner.CloseAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
