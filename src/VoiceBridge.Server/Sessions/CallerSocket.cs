using System.Net.WebSockets;
using System.Threading.Channels;
using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Server.Sessions;

/// <summary>
/// The caller's side of a call (Twilio or a browser): a capped message reader and a bounded outbound queue drained
/// by one send loop, as in aspnetcore's WebSocket transport. Neither the receive nor the send is ever cancelled —
/// cancelling a pending WebSocket operation aborts the socket before a close frame could go out; the close
/// handshake (<see cref="CloseAsync"/>) ends them instead. The tap sees what is sent; what is received is handed to it by
/// the session once it has accepted the message.
/// </summary>
internal sealed class CallerSocket
{
    private readonly WebSocket _socket;
    private readonly Channel<RealtimeMessage> _outbound;
    private readonly int _maxMessageBytes;
    private readonly ICallerLegTap? _tap;
    private bool _skipToEndOfMessage;

    public CallerSocket(WebSocket socket, int sendQueueCapacity, int maxMessageBytes, ICallerLegTap? tap = null)
    {
        _tap = tap;
        _socket = socket;
        _maxMessageBytes = maxMessageBytes;
        _outbound = Channel.CreateBounded<RealtimeMessage>(new BoundedChannelOptions(sendQueueCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>
    /// Queues a message for the caller and takes ownership of it. False when the queue is full (the caller is not
    /// reading) or sending has ended; the message is then disposed.
    /// </summary>
    public bool TryQueue(RealtimeMessage message)
    {
        if (_outbound.Writer.TryWrite(message))
        {
            return true;
        }

        message.Dispose();
        return false;
    }

    /// <summary>
    /// Sends queued messages until <see cref="CompleteSending"/>, keeping their order with the close frame.
    /// Returns false when the connection was lost while sending.
    /// </summary>
    public async Task<bool> SendLoopAsync()
    {
        try
        {
            while (await _outbound.Reader.WaitToReadAsync())
            {
                while (_outbound.Reader.TryRead(out var message))
                {
                    using (message)
                    {
                        _tap?.Sent(message.Span);
                        await _socket.SendAsync(message.Memory, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
                    }
                }
            }

            return true;
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>No more messages: the send loop ends once the queue is empty.</summary>
    public void CompleteSending() => _outbound.Writer.TryComplete();

    /// <summary>Stops sending and returns every message still queued to the pool.</summary>
    public void DiscardQueued()
    {
        _outbound.Writer.TryComplete();
        while (_outbound.Reader.TryRead(out var pending))
        {
            pending.Dispose();
        }
    }

    /// <summary>
    /// Reads one whole message into <paramref name="buffer"/>, growing it up to the leg's cap as the message needs. A
    /// message over the cap is reported once as <see cref="CallerReadKind.TooBig"/>; the rest of it is skipped, never
    /// parsed as a message.
    /// </summary>
    public async ValueTask<CallerRead> ReadAsync(ReceiveBuffer buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        var length = 0;
        while (true)
        {
            var room = Math.Min(buffer.Array.Length, _maxMessageBytes) - length;
            if (room == 0)
            {
                // Only reached below the cap (at the cap the message was reported too big).
                buffer.Grow(length, _maxMessageBytes);
                room = Math.Min(buffer.Array.Length, _maxMessageBytes) - length;
            }

            ValueWebSocketReceiveResult result;
            try
            {
                result = await _socket.ReceiveAsync(buffer.Array.AsMemory(length, room), CancellationToken.None);
            }
            catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or IOException or OperationCanceledException)
            {
                // Nothing cancels this receive: an OperationCanceledException means the socket was aborted.
                return new CallerRead(CallerReadKind.Closed, 0, Aborted: true);
            }

            if (result.MessageType == WebSocketMessageType.Close)
            {
                return new CallerRead(CallerReadKind.Closed, 0);
            }

            if (_skipToEndOfMessage)
            {
                _skipToEndOfMessage = !result.EndOfMessage;
                continue;
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                // Not audited here: the session decides whether the message is accepted (audited as it came) or
                // refused (only counted), so a flood of junk never reaches the trail byte for byte.
                return new CallerRead(result.MessageType == WebSocketMessageType.Binary ? CallerReadKind.Binary : CallerReadKind.Text, length);
            }

            if (length >= _maxMessageBytes)
            {
                _skipToEndOfMessage = true;
                return new CallerRead(CallerReadKind.TooBig, length);
            }
        }
    }

    /// <summary>The close handshake: see <see cref="WebSocketClosing"/>.</summary>
    public ValueTask CloseAsync(WebSocketCloseStatus status, string description, Task? receiveLoop, TimeProvider time) =>
        WebSocketClosing.CloseAsync(_socket, status, description, receiveLoop, time);
}
