using System.Text;
using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Server.Tests.Browser;

/// <summary>Wraps the real connector; a send containing <see cref="Trigger"/> throws, standing in for a bug in the session's path.</summary>
internal sealed class FaultingConnector(IRealtimeConnector inner) : IRealtimeConnector
{
    public const string Trigger = "FAULT-HERE";

    public async ValueTask<RealtimeConnectResult> ConnectAsync(CancellationToken cancellationToken)
    {
        var result = await inner.ConnectAsync(cancellationToken);
        return result.IsConnected ? RealtimeConnectResult.Connected(new Connection(result.Connection!)) : result;
    }

    private sealed class Connection(IRealtimeConnection inner) : IRealtimeConnection
    {
        public long DroppedAudioMessages => inner.DroppedAudioMessages;

        public ValueTask<bool> SendAsync(RealtimeMessage message, CancellationToken cancellationToken)
        {
            if (Encoding.UTF8.GetString(message.Span).Contains(Trigger, StringComparison.Ordinal))
            {
                message.Dispose();
                throw new NotSupportedException("a fault the session does not expect");
            }

            return inner.SendAsync(message, cancellationToken);
        }

        public ValueTask<RealtimeReceiveResult> ReceiveAsync(CancellationToken cancellationToken) => inner.ReceiveAsync(cancellationToken);

        public ValueTask CloseAsync(CancellationToken cancellationToken) => inner.CloseAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
