using System.Threading.Channels;
using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Realtime.Simulator.Calls;

/// <summary>
/// A sideband on a simulated direct call: the call's server events queued for it (bounded; one that stops reading is
/// closed), its client events handed to the call. When the call ends the queue completes and the receive returns a
/// normal close, as the API closes a sideband when its call is over.
/// </summary>
internal sealed class SimulatorCallPort(SimulatorCall call, int capacity) : ISimulatorSession
{
    private readonly Channel<RealtimeMessage> _queue = Channel.CreateBounded<RealtimeMessage>(new BoundedChannelOptions(capacity) { SingleReader = true });
    private UpstreamEnd? _end;

    public bool TryPost(ReadOnlySpan<byte> json)
    {
        var message = RealtimeMessage.Copy(json, RealtimeMessageKind.Control);
        if (_queue.Writer.TryWrite(message))
        {
            return true;
        }

        message.Dispose();
        return false;
    }

    public void Complete(string reason)
    {
        Interlocked.CompareExchange(ref _end, new UpstreamEnd(UpstreamEndReason.ClosedByPeer, reason, CloseStatus: 1000), null);
        _queue.Writer.TryComplete();
    }

    /// <summary>The connection is lost while the call goes on: the receive ends as a dropped socket's would.</summary>
    public void Drop(string reason)
    {
        Interlocked.CompareExchange(ref _end, new UpstreamEnd(UpstreamEndReason.ConnectionLost, reason), null);
        call.Remove(this);
        _queue.Writer.TryComplete();
    }

    public ValueTask<bool> SubmitAsync(RealtimeMessage message, CancellationToken cancellationToken) => call.SubmitClientEventAsync(message, cancellationToken);

    public async ValueTask<RealtimeReceiveResult> ReceiveAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                if (_queue.Reader.TryRead(out var message))
                {
                    return RealtimeReceiveResult.Received(message);
                }

                if (!await _queue.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    return RealtimeReceiveResult.Ended(_end ?? new UpstreamEnd(UpstreamEndReason.ClosedByPeer, "call ended", CloseStatus: 1000));
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await CloseAsync(new UpstreamEnd(UpstreamEndReason.Cancelled, "receive cancelled")).ConfigureAwait(false);
            return RealtimeReceiveResult.Ended(_end!);
        }
    }

    public ValueTask CloseAsync(UpstreamEnd ending)
    {
        Interlocked.CompareExchange(ref _end, ending, null);
        call.Remove(this);
        _queue.Writer.TryComplete();
        while (_queue.Reader.TryRead(out var message))
        {
            message.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => CloseAsync(new UpstreamEnd(UpstreamEndReason.ClosedByUs, "sideband closed"));
}
