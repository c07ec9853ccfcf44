using System.Collections.Concurrent;
using System.Text;
using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Server.Tests.Browser;

/// <summary>Wraps the real connector and keeps a copy of every client event that reached the upstream.</summary>
internal sealed class RecordingConnector(IRealtimeConnector inner) : IRealtimeConnector
{
    public ConcurrentQueue<string> Sent { get; } = new();

    public async ValueTask<RealtimeConnectResult> ConnectAsync(CancellationToken cancellationToken)
    {
        var result = await inner.ConnectAsync(cancellationToken);
        return result.IsConnected ? RealtimeConnectResult.Connected(new Connection(result.Connection!, Sent)) : result;
    }

    private sealed class Connection(IRealtimeConnection inner, ConcurrentQueue<string> sent) : IRealtimeConnection
    {
        public long DroppedAudioMessages => inner.DroppedAudioMessages;

        public ValueTask<bool> SendAsync(RealtimeMessage message, CancellationToken cancellationToken)
        {
            sent.Enqueue(Encoding.UTF8.GetString(message.Span));
            return inner.SendAsync(message, cancellationToken);
        }

        public ValueTask<RealtimeReceiveResult> ReceiveAsync(CancellationToken cancellationToken) => inner.ReceiveAsync(cancellationToken);

        public ValueTask CloseAsync(CancellationToken cancellationToken) => inner.CloseAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
