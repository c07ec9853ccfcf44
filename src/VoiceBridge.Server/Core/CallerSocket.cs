using System.Buffers;
using System.Net.WebSockets;
using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Server.Core;

/// <summary>
/// The caller's side of a call (Twilio or a Realtime client): a capped message reader and a sender that writes on the
/// handing task when the socket is free (<see cref="WebSocketSender"/>), queuing only behind a write in flight. Neither the
/// receive nor a write is ever cancelled — cancelling a pending WebSocket operation aborts the socket before a close frame
/// could go out; the close handshake (<see cref="CloseAsync"/>) ends them instead.
/// </summary>
/// <remarks>
/// An idle call holds no receive buffer: each read first waits with an empty buffer (a zero-byte read, as aspnetcore's
/// SignalR WebSocket transport does) and rents one only once a message is there; <see cref="Release"/> gives it back.
/// </remarks>
internal sealed class CallerSocket
{
    private const int InitialBufferBytes = 4 * 1024;

    private readonly WebSocket _socket;
    private readonly WebSocketSender _sender;
    private readonly int _maxMessageBytes;
    private byte[]? _buffer;
    private bool _skipToEndOfMessage;

    /// <param name="socket">The caller's socket.</param>
    /// <param name="sendQueueCapacity">Messages that may wait behind a write in flight before the caller counts as not reading.</param>
    /// <param name="maxMessageBytes">The leg's cap on one incoming message.</param>
    /// <param name="onSendFailed">Called once when a write fails (the connection is gone).</param>
    public CallerSocket(WebSocket socket, int sendQueueCapacity, int maxMessageBytes, Action<Exception>? onSendFailed = null)
    {
        _socket = socket;
        _maxMessageBytes = maxMessageBytes;
        // The caller's queue never drops: a caller that lets it fill is not reading, and the call ends (the owner decides).
        _sender = new WebSocketSender(
            socket,
            new WebSocketSenderOptions { Capacity = sendQueueCapacity, DropOldestAudio = false, ControlWaitsForRoom = false },
            onFailed: onSendFailed);
    }

    /// <summary>The message the last <see cref="ReadAsync"/> returned (valid until the next read or <see cref="Release"/>).</summary>
    public ReadOnlyMemory<byte> Message { get; private set; }

    /// <summary>Writes that found the socket without room (each cost a continuation on another thread).</summary>
    public long AsyncWrites => _sender.AsyncWrites;

    /// <summary>
    /// Hands a message to the caller and takes ownership of it: written now when the socket is free, queued behind a write
    /// in flight. False when the queue is full (the caller is not reading) or sending has ended; the message is released.
    /// </summary>
    public bool TrySend(RealtimeMessage message)
    {
        // Neither full mode waits, so the send always completes at once.
        var sent = _sender.SendAsync(message);
        return sent.IsCompletedSuccessfully && sent.Result;
    }

    /// <summary>No more messages: completes once what is queued was written (bounded by the caller's close).</summary>
    public Task SendQueuedAsync()
    {
        _sender.Complete();
        return _sender.WhenDrainedAsync();
    }

    /// <summary>Stops sending and releases every message still queued.</summary>
    public void DiscardQueued() => _sender.DiscardQueued();

    /// <summary>
    /// Reads one whole message into <see cref="Message"/>, growing the buffer up to the leg's cap as the message needs. A
    /// message over the cap is reported once as <see cref="CallerReadKind.TooBig"/>; the rest of it is skipped, never
    /// parsed as a message. The previous message's buffer is released first.
    /// </summary>
    public async ValueTask<CallerRead> ReadAsync()
    {
        Release();
        var length = 0;
        while (true)
        {
            ValueWebSocketReceiveResult result;
            try
            {
                if (_buffer is null)
                {
                    // Wait for the next frame without holding a buffer.
                    result = await _socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return new CallerRead(CallerReadKind.Closed, 0);
                    }

                    if (result.EndOfMessage && !_skipToEndOfMessage)
                    {
                        // An empty message: nothing to buffer.
                        Message = default;
                        return new CallerRead(result.MessageType == WebSocketMessageType.Binary ? CallerReadKind.Binary : CallerReadKind.Text, 0);
                    }

                    _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferBytes);
                }

                var room = Math.Min(_buffer.Length, _maxMessageBytes) - length;
                if (room == 0)
                {
                    // Only reached below the cap (at the cap the message was reported too big).
                    Grow(length);
                    room = Math.Min(_buffer.Length, _maxMessageBytes) - length;
                }

                result = await _socket.ReceiveAsync(_buffer.AsMemory(length, room), CancellationToken.None);
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
                // Not shown to the observers here: the leg decides whether the message is accepted (audited as it came)
                // or refused (only counted), so a flood of junk never reaches the trail byte for byte.
                Message = _buffer.AsMemory(0, length);
                return new CallerRead(result.MessageType == WebSocketMessageType.Binary ? CallerReadKind.Binary : CallerReadKind.Text, length);
            }

            if (length >= _maxMessageBytes)
            {
                _skipToEndOfMessage = true;
                return new CallerRead(CallerReadKind.TooBig, length);
            }
        }
    }

    /// <summary>Gives the receive buffer back (done with the message): an idle call holds none.</summary>
    public void Release()
    {
        Message = default;
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The close handshake: see <see cref="WebSocketClosing"/>. The receive buffer goes back afterwards.</summary>
    public async ValueTask CloseAsync(WebSocketCloseStatus status, string description, Task? receiveLoop, TimeProvider time)
    {
        await WebSocketClosing.CloseAsync(_socket, status, description, receiveLoop, time);
        Release();
    }

    private void Grow(int keep)
    {
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(_maxMessageBytes, _buffer!.Length * 2));
        _buffer.AsSpan(0, keep).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }
}
