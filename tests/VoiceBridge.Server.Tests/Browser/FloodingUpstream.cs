using System.Text;
using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Server.Tests.Browser;

/// <summary>An upstream that confirms the session and then sends 16 KiB server events as fast as they are taken.</summary>
internal sealed class FloodingUpstream : IRealtimeConnector, IRealtimeConnection
{
    private static readonly byte[] Created = """{"type":"session.created","event_id":"e0","session":{"type":"realtime"}}"""u8.ToArray();
    private static readonly byte[] Updated = """{"type":"session.updated","event_id":"e1","session":{"type":"realtime"}}"""u8.ToArray();
    private static readonly byte[] Big = Encoding.UTF8.GetBytes("{\"type\":\"conversation.item.done\",\"pad\":\"" + new string('x', 16 * 1024) + "\"}");
    private readonly TaskCompletionSource _policySent = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _received;

    public long DroppedAudioMessages => 0;

    public long Flooded => Math.Max(0, Volatile.Read(ref _received) - 2);

    public ValueTask<RealtimeConnectResult> ConnectAsync(CancellationToken cancellationToken) => ValueTask.FromResult(RealtimeConnectResult.Connected(this));

    public ValueTask<bool> SendAsync(RealtimeMessage message, CancellationToken cancellationToken)
    {
        message.Dispose();
        _policySent.TrySetResult();
        return ValueTask.FromResult(true);
    }

    public async ValueTask<RealtimeReceiveResult> ReceiveAsync(CancellationToken cancellationToken)
    {
        var n = Interlocked.Increment(ref _received);
        if (n == 1)
        {
            return RealtimeReceiveResult.Received(RealtimeMessage.Copy(Created, RealtimeMessageKind.Control));
        }

        if (n == 2)
        {
            await _policySent.Task.WaitAsync(cancellationToken);
            return RealtimeReceiveResult.Received(RealtimeMessage.Copy(Updated, RealtimeMessageKind.Control));
        }

        cancellationToken.ThrowIfCancellationRequested();
        await Task.Yield();
        return RealtimeReceiveResult.Received(RealtimeMessage.Copy(Big, RealtimeMessageKind.Control));
    }

    public ValueTask CloseAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
