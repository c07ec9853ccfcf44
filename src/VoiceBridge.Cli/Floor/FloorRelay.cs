using System.Buffers;
using System.Net.WebSockets;

namespace VoiceBridge.Cli.Floor;

/// <summary>
/// The floor's whole relay: one loop per direction that reads a message fragment from one socket and awaits its write
/// to the other before reading again (the two copy loops of YARP's and ASP.NET Core's WebSocket proxying). Bytes pass
/// unparsed, with their message type and end-of-message flag, so what one side sends the other receives byte for
/// byte. No queue, no hand-off between tasks: the only wake-ups are the sockets'. A close is passed on with its
/// status; a failure in either direction aborts both.
/// </summary>
internal static class FloorRelay
{
    // A Twilio media message is about 350 bytes; a larger one is relayed in fragments, still whole on the other side.
    private const int BufferBytes = 4096;

    public static async Task<(FloorCopyResult ToUpstream, FloorCopyResult ToCaller)> RelayAsync(WebSocket caller, WebSocket upstream, CancellationToken cancellationToken)
    {
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var toUpstream = CopyAsync(caller, upstream, failed);
        var toCaller = CopyAsync(upstream, caller, failed);
        return (await toUpstream.ConfigureAwait(false), await toCaller.ConfigureAwait(false));
    }

    private static async Task<FloorCopyResult> CopyAsync(WebSocket source, WebSocket destination, CancellationTokenSource failed)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        var result = FloorCopyResult.Cancelled;
        try
        {
            while (true)
            {
                ValueWebSocketReceiveResult read;
                try
                {
                    read = await source.ReceiveAsync(buffer.AsMemory(), failed.Token).ConfigureAwait(false);
                }
                catch (WebSocketException)
                {
                    return result = FloorCopyResult.SourceFailed;
                }

                try
                {
                    if (read.MessageType == WebSocketMessageType.Close)
                    {
                        await destination.CloseOutputAsync(source.CloseStatus ?? WebSocketCloseStatus.NormalClosure, source.CloseStatusDescription, failed.Token).ConfigureAwait(false);
                        return result = FloorCopyResult.Closed;
                    }

                    await destination.SendAsync(buffer.AsMemory(0, read.Count), read.MessageType, read.EndOfMessage, failed.Token).ConfigureAwait(false);
                }
                catch (WebSocketException)
                {
                    return result = FloorCopyResult.DestinationFailed;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return result = FloorCopyResult.Cancelled;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (result is FloorCopyResult.SourceFailed or FloorCopyResult.DestinationFailed)
            {
                // The other direction would wait forever on a socket nobody will close: stop it.
                await failed.CancelAsync().ConfigureAwait(false);
            }
        }
    }
}
