using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Server.Audit;

/// <summary>The upstream connection with every event audited as it is handed over (out) and as it arrives (in).</summary>
internal sealed class AuditedConnection(IRealtimeConnection inner, CallRecorder recorder) : IRealtimeConnection
{
    public long DroppedAudioMessages => inner.DroppedAudioMessages;

    public ValueTask<bool> SendAsync(RealtimeMessage message, CancellationToken cancellationToken)
    {
        recorder.UpstreamSent(message.Span);
        return inner.SendAsync(message, cancellationToken);
    }

    // Pooled builder: one receive per upstream frame must not allocate a state machine box when it completes later.
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<RealtimeReceiveResult> ReceiveAsync(CancellationToken cancellationToken)
    {
        var result = await inner.ReceiveAsync(cancellationToken).ConfigureAwait(false);
        if (!result.IsEnd)
        {
            recorder.UpstreamReceived(result.Message.Span);
        }

        return result;
    }

    public ValueTask CloseAsync(CancellationToken cancellationToken) => inner.CloseAsync(cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
