using System.Buffers;
using System.Net.WebSockets;
using System.Threading.Channels;
using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Realtime.Simulator.Calls;

/// <summary>
/// A call's media over a WebSocket (<c>/sim/calls/{id}/media</c>): binary frames are PCM16 24 kHz mono both ways (the
/// caller's voice in, the model's voice out), text frames are the data channel's events (client events in, server
/// events out) plus <c>{"type":"sim.clear"}</c> (drop what is queued to play). The model-side browser page and the
/// simulated phone of <c>voicebridge sip-call</c> both speak it. The socket closing is the caller leaving: the call ends.
/// One send loop writes what the call queued.
/// </summary>
public sealed class SimulatorMediaSocket : ISimulatorMedia
{
    private const int MaxMessageBytes = 1024 * 1024;
    private static readonly byte[] Clear = "{\"type\":\"sim.clear\"}"u8.ToArray();

    private readonly Channel<Frame> _outbound = Channel.CreateBounded<Frame>(new BoundedChannelOptions(4096) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
    private string? _endReason;

    private SimulatorMediaSocket()
    {
    }

    /// <summary>Serves <paramref name="socket"/> as <paramref name="call"/>'s media until either side leaves.</summary>
    public static async Task RunAsync(WebSocket socket, SimulatorCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(call);
        var media = new SimulatorMediaSocket();
        call.AttachMedia(media);
        var sending = media.SendLoopAsync(socket);
        try
        {
            while (true)
            {
                var received = await SimulatorWebSockets.ReceiveAsync(socket, MaxMessageBytes, cancellationToken).ConfigureAwait(false);
                if (received is not { } frame)
                {
                    break;
                }

                try
                {
                    if (frame.Type == WebSocketMessageType.Binary)
                    {
                        await call.SubmitAudioAsync(frame.Buffer.AsSpan(0, frame.Length & ~1), cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        await call.SubmitClientEventAsync(RealtimeMessage.Copy(frame.Buffer.AsSpan(0, frame.Length), RealtimeMessageKind.Control), cancellationToken).ConfigureAwait(false);
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(frame.Buffer);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }
        finally
        {
            call.DetachMedia(media);
            call.End(media._endReason ?? "the caller left (media closed)");
            media._outbound.Writer.TryComplete();
            await sending.ConfigureAwait(false);
            await SimulatorWebSockets.CloseAsync(socket, media._endReason ?? "call ended").ConfigureAwait(false);
        }
    }

    public void OnAudio(ReadOnlySpan<byte> pcm) => Post(pcm, WebSocketMessageType.Binary);

    public void OnEvent(ReadOnlySpan<byte> json) => Post(json, WebSocketMessageType.Text);

    public void OnClear() => Post(Clear, WebSocketMessageType.Text);

    public void OnEnded(string reason)
    {
        _endReason = reason;
        _outbound.Writer.TryWrite(new Frame(null, 0, WebSocketMessageType.Close));
    }

    private void Post(ReadOnlySpan<byte> bytes, WebSocketMessageType type)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, bytes.Length));
        bytes.CopyTo(buffer);
        if (!_outbound.Writer.TryWrite(new Frame(buffer, bytes.Length, type)))
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task SendLoopAsync(WebSocket socket)
    {
        await foreach (var frame in _outbound.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (frame.Buffer is null)
            {
                await SimulatorWebSockets.CloseAsync(socket, _endReason ?? "call ended").ConfigureAwait(false);
                continue;
            }

            try
            {
                if (socket.State == WebSocketState.Open)
                {
                    await socket.SendAsync(frame.Buffer.AsMemory(0, frame.Length), frame.Type, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
                }
            }
            catch (WebSocketException)
            {
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(frame.Buffer);
            }
        }
    }

    private readonly record struct Frame(byte[]? Buffer, int Length, WebSocketMessageType Type);
}
