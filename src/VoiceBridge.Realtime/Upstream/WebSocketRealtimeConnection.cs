using System.Buffers;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Realtime.Upstream;

/// <summary>
/// One open upstream session over a WebSocket, with no task of its own: the session's upstream loop reads the socket
/// directly (<see cref="ReceiveAsync"/> is the socket's receive), and whoever sends writes on the socket when it is free
/// (<see cref="WebSocketSender"/>), queuing only behind a write in flight. That is the two-copy-loop shape of YARP and
/// aspnetcore's WebSocket middleware; the earlier shape (a receive loop and a send loop of our own, joined to the session
/// by channels) cost two thread wake-ups per frame for no work.
/// </summary>
/// <remarks>
/// Ending is a close handshake, never a cancelled socket operation (which would abort before a close frame could go):
/// the caller's cancellation token ends the whole session with <see cref="UpstreamEndReason.Cancelled"/> by sending our
/// close frame, and the pending receive completes when the peer answers it — or when <see cref="UpstreamSettings.CloseTimeout"/>
/// aborts the socket. Every end is decided once (first wins) and logged once.
/// </remarks>
internal sealed partial class WebSocketRealtimeConnection : IRealtimeConnection
{
    /// <summary>Most server events are small; audio deltas are a few KiB of base64, so one buffer usually fits.</summary>
    private const int InitialReceiveBufferBytes = 16 * 1024;

    private readonly WebSocket _socket;
    private readonly UpstreamSettings _settings;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly WebSocketSender _sender;
    private readonly Lock _closeGate = new();
    private readonly TaskCompletionSource _receiveFinished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private UpstreamEnd? _end;
    private WebSocketCloseStatus _closeStatusToSend = WebSocketCloseStatus.NormalClosure;
    private string _closeDescriptionToSend = string.Empty;
    private ITimer? _closeDeadline;
    private Task? _closeOutput;
    private int _receiving;
    private int _disposed;

    public WebSocketRealtimeConnection(WebSocket socket, UpstreamSettings settings, TimeProvider timeProvider, ILogger logger)
    {
        _socket = socket;
        _settings = settings;
        _timeProvider = timeProvider;
        _logger = logger;
        _sender = new WebSocketSender(
            socket,
            new WebSocketSenderOptions { Capacity = settings.SendQueueCapacity, DropOldestAudio = true, ControlWaitsForRoom = true },
            onFailed: OnSendFailed);
    }

    public long DroppedAudioMessages => _sender.DroppedAudioMessages;

    /// <summary>Writes that found the socket without room (each cost a continuation on another thread).</summary>
    internal long AsyncWrites => _sender.AsyncWrites;

    /// <summary>The end, once decided; null while the session is open.</summary>
    internal UpstreamEnd? End => Volatile.Read(ref _end);

    public ValueTask<bool> SendAsync(RealtimeMessage message, CancellationToken cancellationToken)
    {
        if (End is not null)
        {
            message.Dispose();
            return ValueTask.FromResult(false);
        }

        var sent = _sender.SendAsync(message, cancellationToken);
        return sent.IsCompletedSuccessfully ? sent : AwaitSendAsync(sent, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<RealtimeReceiveResult> ReceiveAsync(CancellationToken cancellationToken)
    {
        if (_receiveFinished.Task.IsCompleted)
        {
            return RealtimeReceiveResult.Ended(End ?? LostWithoutReason());
        }

        if (Interlocked.CompareExchange(ref _receiving, 1, 0) != 0)
        {
            // The close is reading the socket to its end (no reader was left): its outcome is ours.
            await _receiveFinished.Task.ConfigureAwait(false);
            return RealtimeReceiveResult.Ended(End ?? LostWithoutReason());
        }

        try
        {
            // Not passed to the socket (a cancelled receive aborts it): the token ends the session with a close handshake.
            using (cancellationToken.UnsafeRegister(static state => ((WebSocketRealtimeConnection)state!).OnCallerCancelled(), this))
            {
                return await ReadAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            Volatile.Write(ref _receiving, 0);
        }
    }

    public async ValueTask CloseAsync(CancellationToken cancellationToken)
    {
        TrySetEnd(new UpstreamEnd(UpstreamEndReason.ClosedByUs, "closed by the bridge"));
        StartCloseDeadline();
        try
        {
            // What is queued still goes out, then the close frame, then the peer's answer; the deadline bounds all three.
            _sender.Complete();
            await _sender.WhenDrainedAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            await CloseOutputOnceAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            if (Interlocked.CompareExchange(ref _receiving, 1, 0) == 0)
            {
                // Nobody reads any more: read to the peer's close ourselves, dropping what comes before it.
                try
                {
                    RealtimeReceiveResult result;
                    while (!(result = await ReadAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(false)).IsEnd)
                    {
                        result.Message.Dispose();
                    }
                }
                finally
                {
                    Volatile.Write(ref _receiving, 0);
                }
            }
            else
            {
                await _receiveFinished.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Abort();
            await _receiveFinished.Task.ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        TrySetEnd(new UpstreamEnd(UpstreamEndReason.ClosedByUs, "disposed without a clean close"));
        Abort();
        if (Volatile.Read(ref _receiving) == 1)
        {
            // A reader is still inside the socket's receive; the abort ends it.
            await _receiveFinished.Task.ConfigureAwait(false);
        }

        _receiveFinished.TrySetResult();
        _sender.DiscardQueued();
        lock (_closeGate)
        {
            _closeDeadline?.Dispose();
        }

        _socket.Dispose();
    }

    private async ValueTask<bool> AwaitSendAsync(ValueTask<bool> sent, CancellationToken cancellationToken)
    {
        try
        {
            return await sent.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            OnCallerCancelled();
            return false;
        }
    }

    // One server event, or the session's end. Only the one reader (or the close, when no reader is left) calls this.
    // Waits for the next frame with an empty buffer (a zero-byte read, as aspnetcore's SignalR transport does) and rents
    // one only once the frame is there: an idle call holds no receive buffer.
    private async ValueTask<RealtimeReceiveResult> ReadAsync()
    {
        byte[]? buffer = null;
        try
        {
            while (true)
            {
                var length = 0;
                while (true)
                {
                    if (buffer is null)
                    {
                        var waited = await _socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None).ConfigureAwait(false);
                        if (waited.MessageType == WebSocketMessageType.Close)
                        {
                            return await PeerClosedAsync().ConfigureAwait(false);
                        }

                        buffer = ArrayPool<byte>.Shared.Rent(InitialReceiveBufferBytes);
                        if (waited.EndOfMessage)
                        {
                            // An empty frame: not a JSON object (classified below like any other).
                            break;
                        }
                    }

                    var room = Math.Min(buffer.Length, _settings.MaxMessageBytes) - length;
                    if (room == 0)
                    {
                        if (length >= _settings.MaxMessageBytes)
                        {
                            return await EndMalformedAsync(WebSocketCloseStatus.MessageTooBig, $"a server event is larger than {_settings.MaxMessageBytes} bytes").ConfigureAwait(false);
                        }

                        buffer = Grow(buffer, length);
                        continue;
                    }

                    var result = await _socket.ReceiveAsync(buffer.AsMemory(length, room), CancellationToken.None).ConfigureAwait(false);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return await PeerClosedAsync().ConfigureAwait(false);
                    }

                    if (result.MessageType == WebSocketMessageType.Binary)
                    {
                        return await EndMalformedAsync(WebSocketCloseStatus.InvalidMessageType, "the upstream sent a binary frame; Realtime events are JSON text").ConfigureAwait(false);
                    }

                    length += result.Count;
                    if (result.EndOfMessage)
                    {
                        break;
                    }
                }

                if (!TryClassify(buffer.AsSpan(0, length), out var kind, out var problem))
                {
                    return await EndMalformedAsync(WebSocketCloseStatus.InvalidPayloadData, problem).ConfigureAwait(false);
                }

                if (End is not null)
                {
                    // Ending (our close went out): what still arrives before the peer's close is not delivered.
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = null;
                    continue;
                }

                var message = RealtimeMessage.FromRented(buffer, length, kind);
                buffer = null;
                return RealtimeReceiveResult.Received(message);
            }
        }
        catch (OperationCanceledException ex)
        {
            // Nothing cancels this receive: the socket aborted itself, as ManagedWebSocket does when no pong answers a
            // keep-alive ping within KeepAliveTimeout (a black-holed upstream), or our close deadline aborted it.
            TrySetEnd(new UpstreamEnd(UpstreamEndReason.ConnectionLost, "receiving failed: " + Innermost(ex).Message));
            return Finished();
        }
        catch (WebSocketException ex) when (ex.WebSocketErrorCode == WebSocketError.ConnectionClosedPrematurely)
        {
            TrySetEnd(new UpstreamEnd(UpstreamEndReason.ClosedByPeer, "the upstream dropped the connection without a close frame"));
            return Finished();
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
        {
            TrySetEnd(new UpstreamEnd(UpstreamEndReason.ConnectionLost, "receiving failed: " + ex.Message));
            return Finished();
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private async ValueTask<RealtimeReceiveResult> PeerClosedAsync()
    {
        var status = _socket.CloseStatus is { } closeStatus ? (int)closeStatus : (int?)null;
        TrySetEnd(new UpstreamEnd(
            UpstreamEndReason.ClosedByPeer,
            string.IsNullOrEmpty(_socket.CloseStatusDescription)
                ? "the upstream closed the session"
                : "the upstream closed the session: " + _socket.CloseStatusDescription,
            CloseStatus: status));

        // Our answer completes the handshake (or it already went out, when we closed first).
        StartCloseDeadline();
        _sender.DiscardQueued();
        await CloseOutputOnceAsync().ConfigureAwait(false);
        return Finished();
    }

    // The socket has nothing more to give: every later receive returns the same end.
    private RealtimeReceiveResult Finished()
    {
        var end = End ?? LostWithoutReason();
        TrySetEnd(end);
        _sender.DiscardQueued();
        _receiveFinished.TrySetResult();
        return RealtimeReceiveResult.Ended(end);
    }

    private async ValueTask<RealtimeReceiveResult> EndMalformedAsync(WebSocketCloseStatus status, string description)
    {
        if (TrySetEnd(new UpstreamEnd(UpstreamEndReason.MalformedFrame, description)))
        {
            _closeStatusToSend = status;
            _closeDescriptionToSend = "malformed server event";
        }

        // Nothing queued is worth sending to a peer that breaks the protocol: say why, then drop the connection.
        StartCloseDeadline();
        _sender.DiscardQueued();
        await CloseOutputOnceAsync().ConfigureAwait(false);
        Abort();
        return Finished();
    }

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is { } inner)
        {
            ex = inner is AggregateException { InnerExceptions.Count: > 0 } many ? many.InnerExceptions[0] : inner;
        }

        return ex;
    }

    /// <summary>Sends our close frame once, when the socket still allows it; a failure here changes no outcome.</summary>
    private Task CloseOutputOnceAsync()
    {
        lock (_closeGate)
        {
            return _closeOutput ??= SendCloseAsync();
        }

        async Task SendCloseAsync()
        {
            if (_socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
            {
                return;
            }

            try
            {
                await _socket.CloseOutputAsync(_closeStatusToSend, _closeDescriptionToSend, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
            {
                // The end is already decided and logged; the deadline aborts the socket.
            }
        }
    }

    private void OnCallerCancelled()
    {
        if (TrySetEnd(new UpstreamEnd(UpstreamEndReason.Cancelled, "the caller cancelled the session")))
        {
            _sender.DiscardQueued();
            StartCloseDeadline();
            // The pending receive ends with the peer's answer to this close frame, or with the deadline's abort.
            _ = CloseOutputOnceAsync();
        }
    }

    private void OnSendFailed(Exception ex)
    {
        // Sending stays legal after the peer's close frame arrives (CloseReceived), so a failure here is a broken
        // connection, not a close racing the send. The abort ends a pending receive.
        TrySetEnd(new UpstreamEnd(UpstreamEndReason.ConnectionLost, "sending failed: " + ex.Message));
        Abort();
    }

    private bool TrySetEnd(UpstreamEnd end)
    {
        if (Interlocked.CompareExchange(ref _end, end, null) is not null)
        {
            return false;
        }

        _sender.Complete();
        var level = end.Reason switch
        {
            UpstreamEndReason.ClosedByUs or UpstreamEndReason.Cancelled => LogLevel.Information,
            UpstreamEndReason.ClosedByPeer when end.CloseStatus is null or (int)WebSocketCloseStatus.NormalClosure
                or (int)WebSocketCloseStatus.EndpointUnavailable => LogLevel.Information,
            _ => LogLevel.Warning,
        };
        LogSessionEnded(_logger, level, end.Reason, end.CloseStatus, end.Description, DroppedAudioMessages);
        return true;
    }

    private static UpstreamEnd LostWithoutReason() =>
        new(UpstreamEndReason.ConnectionLost, "the connection ended without a reason");

    private void StartCloseDeadline()
    {
        lock (_closeGate)
        {
            if (Volatile.Read(ref _disposed) == 0)
            {
                _closeDeadline ??= _timeProvider.CreateTimer(
                    static state => ((WebSocketRealtimeConnection)state!).Abort(),
                    this,
                    _settings.CloseTimeout,
                    Timeout.InfiniteTimeSpan);
            }
        }
    }

    private void Abort() => _socket.Abort();

    private byte[] Grow(byte[] buffer, int length)
    {
        var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, _settings.MaxMessageBytes));
        buffer.AsSpan(0, length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(buffer);
        return larger;
    }

    /// <summary>
    /// Checks that a frame is one JSON object and reads its top-level <c>type</c> to tag audio deltas
    /// (GA <c>response.output_audio.delta</c>, and the beta name, which costs nothing to accept).
    /// UTF-8 itself is not checked here: the WebSocket rejects a text frame that is not UTF-8 (RFC 6455 §8.1)
    /// by failing the socket with close status 1007, which ends the session as lost.
    /// </summary>
    internal static bool TryClassify(ReadOnlySpan<byte> json, out RealtimeMessageKind kind, out string problem)
    {
        kind = RealtimeMessageKind.Control;
        problem = string.Empty;
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                problem = "a server event is not a JSON object";
                return false;
            }

            while (reader.Read())
            {
                if (reader.CurrentDepth == 1 && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("type"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String
                        && (reader.ValueTextEquals("response.output_audio.delta"u8) || reader.ValueTextEquals("response.audio.delta"u8)))
                    {
                        kind = RealtimeMessageKind.Audio;
                    }
                }
            }

            return true;
        }
        catch (JsonException ex)
        {
            // The reader's message names a line and byte position, never the payload.
            problem = "a server event is not valid JSON: " + ex.Message;
            return false;
        }
    }
}
