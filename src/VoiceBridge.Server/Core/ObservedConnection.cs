using System.Runtime.CompilerServices;
using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Server.Core;

/// <summary>
/// One upstream session with its control events shown to the call's observers as they are handed over (out) and as they
/// arrive (in). It wraps each raw session, under the reconnect supervisor, so what the supervisor sends itself (the policy
/// and the replay of a new session) is seen too and what it makes up (a synthetic <c>response.done</c>) is not. Audio is
/// not shown here: the core shows it once, decoded, where it encodes or decodes it.
/// </summary>
internal sealed class ObservedConnection(IRealtimeConnection inner, ICallObserver observers) : IRealtimeConnection
{
    public long DroppedAudioMessages => inner.DroppedAudioMessages;

    public ValueTask<bool> SendAsync(RealtimeMessage message, CancellationToken cancellationToken)
    {
        if (message.Kind != RealtimeMessageKind.Audio)
        {
            RealtimeEventPeek.TryPeek(message.Span, out var type);
            observers.OnUpstreamSent(type, message.Span);
        }

        return inner.SendAsync(message, cancellationToken);
    }

    // Pooled builder: a receive that completes later must not allocate a state machine box per upstream frame.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<RealtimeReceiveResult> ReceiveAsync(CancellationToken cancellationToken)
    {
        var result = await inner.ReceiveAsync(cancellationToken).ConfigureAwait(false);
        if (!result.IsEnd && result.Message.Kind != RealtimeMessageKind.Audio)
        {
            // Every other event, a malformed one too (type Unknown): the trail has all the wire carried. An audio delta not
            // tagged as such by its connection is still audio (the core decodes and shows it).
            RealtimeEventPeek.TryPeek(result.Message.Span, out var type);
            if (type != RealtimeEventType.ResponseOutputAudioDelta)
            {
                observers.OnUpstreamEvent(type, result.Message.Span);
            }
        }

        return result;
    }

    public ValueTask CloseAsync(CancellationToken cancellationToken) => inner.CloseAsync(cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
