using System.Buffers;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Realtime.Upstream;

/// <summary>
/// One open upstream session over a WebSocket, in the shape of aspnetcore's WebSocket transport: a receive loop
/// and a send loop joined to the caller by bounded queues; the first loop to finish ends the other, the socket
/// is closed with a status within <see cref="UpstreamSettings.CloseTimeout"/> and then aborted.
/// </summary>
/// <remarks>
/// The caller's cancellation token (on send or receive) ends the whole session with
/// <see cref="UpstreamEndReason.Cancelled"/>: a session has one owner and one lifetime, so a cancelled read means
/// the call is over. Every end is decided once (first wins) and logged once.
/// </remarks>
internal sealed partial class WebSocketRealtimeConnection : IRealtimeConnection
{
    /// <summary>Most server events are small; audio deltas are a few KiB of base64, so one buffer usually fits.</summary>
    private const int InitialReceiveBufferBytes = 16 * 1024;

    private readonly WebSocket _socket;
    private readonly UpstreamSettings _settings;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly RealtimeSendQueue _sendQueue;
    private readonly Channel<RealtimeMessage> _received;
    private readonly CancellationTokenSource _abort = new();
    private readonly Lock _closeGate = new();

    private Task _run = Task.CompletedTask;
    private UpstreamEnd? _end;
    private WebSocketCloseStatus _closeStatusToSend = WebSocketCloseStatus.NormalClosure;
    private string _closeDescriptionToSend = string.Empty;
    private ITimer? _closeDeadline;
    private int _disposed;

    public WebSocketRealtimeConnection(WebSocket socket, UpstreamSettings settings, TimeProvider timeProvider, ILogger logger)
    {
        _socket = socket;
        _settings = settings;
        _timeProvider = timeProvider;
        _logger = logger;
        _sendQueue = new RealtimeSendQueue(settings.SendQueueCapacity);
        _received = Channel.CreateBounded<RealtimeMessage>(new BoundedChannelOptions(settings.ReceiveQueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = true,
        });
    }

    public long DroppedAudioMessages => _sendQueue.DroppedAudioMessages;

    /// <summary>The end, once decided; null while the session is open.</summary>
    internal UpstreamEnd? End => Volatile.Read(ref _end);

    /// <summary>Starts both loops; called once by the connector after the handshake.</summary>
    public void Start() => _run = Task.Run(RunAsync);

    public async ValueTask<bool> SendAsync(RealtimeMessage message, CancellationToken cancellationToken)
    {
        try
        {
            return await _sendQueue.EnqueueAsync(message, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            OnCallerCancelled();
            return false;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<RealtimeReceiveResult> ReceiveAsync(CancellationToken cancellationToken)
    {
        var reader = _received.Reader;
        while (true)
        {
            if (reader.TryRead(out var message))
            {
                return RealtimeReceiveResult.Received(message);
            }

            bool more;
            // Waiting without a token lets the channel reuse its single-reader wait object (no allocation per
            // frame); the caller's token ends the session instead, which completes the channel and the wait.
            using (cancellationToken.UnsafeRegister(static state => ((WebSocketRealtimeConnection)state!).OnCallerCancelled(), this))
            {
                more = await reader.WaitToReadAsync(CancellationToken.None);
            }

            if (!more)
            {
                return RealtimeReceiveResult.Ended(End ?? LostWithoutReason());
            }
        }
    }

    public async ValueTask CloseAsync(CancellationToken cancellationToken)
    {
        if (TrySetEnd(new UpstreamEnd(UpstreamEndReason.ClosedByUs, "closed by the bridge")))
        {
            // What is queued still goes out, then the close frame; the deadline bounds both.
            _sendQueue.Complete();
        }

        StartCloseDeadline();
        try
        {
            await _run.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Abort();
            await _run;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            TrySetEnd(new UpstreamEnd(UpstreamEndReason.ClosedByUs, "disposed without a clean close"));
            Abort();
        }

        await _run;
        while (_received.Reader.TryRead(out var message))
        {
            message.Dispose();
        }

        _sendQueue.DisposeQueued();
        lock (_closeGate)
        {
            _closeDeadline?.Dispose();
        }

        _abort.Dispose();
    }

    private async Task RunAsync()
    {
        try
        {
            var receiving = ReceiveLoopAsync();
            var sending = SendLoopAsync();
            var first = await Task.WhenAny(receiving, sending);
            StartCloseDeadline();
            if (first == receiving)
            {
                // The peer closed, broke or misbehaved: nothing queued is worth sending any more.
                _sendQueue.DisposeQueued();
                await sending;
                await CloseOutputAsync();
            }
            else
            {
                // Our close (queue drained), a cancellation, or a failed send: say goodbye, then wait for the
                // peer's close frame (or the deadline's abort) so the receive loop ends too.
                await CloseOutputAsync();
                await receiving;
            }
        }
        finally
        {
            // Whatever happened above, the reader gets an end and every buffer goes back to the pool.
            TrySetEnd(LostWithoutReason());
            _socket.Abort();
            _socket.Dispose();
            _received.Writer.TryComplete();
            _sendQueue.DisposeQueued();
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var token = _abort.Token;
        byte[]? buffer = null;
        try
        {
            while (true)
            {
                buffer = ArrayPool<byte>.Shared.Rent(InitialReceiveBufferBytes);
                var length = 0;
                while (true)
                {
                    var room = Math.Min(buffer.Length, _settings.MaxMessageBytes) - length;
                    if (room == 0)
                    {
                        if (length >= _settings.MaxMessageBytes)
                        {
                            EndMalformed(WebSocketCloseStatus.MessageTooBig, $"a server event is larger than {_settings.MaxMessageBytes} bytes");
                            return;
                        }

                        buffer = Grow(buffer, length);
                        continue;
                    }

                    var result = await _socket.ReceiveAsync(buffer.AsMemory(length, room), token);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        var status = _socket.CloseStatus is { } closeStatus ? (int)closeStatus : (int?)null;
                        TrySetEnd(new UpstreamEnd(
                            UpstreamEndReason.ClosedByPeer,
                            string.IsNullOrEmpty(_socket.CloseStatusDescription)
                                ? "the upstream closed the session"
                                : "the upstream closed the session: " + _socket.CloseStatusDescription,
                            CloseStatus: status));
                        return;
                    }

                    if (result.MessageType == WebSocketMessageType.Binary)
                    {
                        EndMalformed(WebSocketCloseStatus.InvalidMessageType, "the upstream sent a binary frame; Realtime events are JSON text");
                        return;
                    }

                    length += result.Count;
                    if (result.EndOfMessage)
                    {
                        break;
                    }
                }

                if (!TryClassify(buffer.AsSpan(0, length), out var kind, out var problem))
                {
                    EndMalformed(WebSocketCloseStatus.InvalidPayloadData, problem);
                    return;
                }

                var message = RealtimeMessage.FromRented(buffer, length, kind);
                buffer = null;
                while (!_received.Writer.TryWrite(message))
                {
                    if (!await _received.Writer.WaitToWriteAsync(token))
                    {
                        // The caller cancelled and stopped reading: keep draining the socket until the close.
                        message.Dispose();
                        break;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Aborted by us: the end is already decided.
        }
        catch (OperationCanceledException ex)
        {
            // Not our token: the socket aborted itself, as ManagedWebSocket does when no pong answers a keep-alive
            // ping within KeepAliveTimeout (a black-holed upstream). Found by the stall fault of the fault proxy.
            TrySetEnd(new UpstreamEnd(UpstreamEndReason.ConnectionLost, "receiving failed: " + Innermost(ex).Message));
        }
        catch (WebSocketException ex) when (ex.WebSocketErrorCode == WebSocketError.ConnectionClosedPrematurely)
        {
            TrySetEnd(new UpstreamEnd(UpstreamEndReason.ClosedByPeer, "the upstream dropped the connection without a close frame"));
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
        {
            TrySetEnd(new UpstreamEnd(UpstreamEndReason.ConnectionLost, "receiving failed: " + ex.Message));
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is { } inner)
        {
            ex = inner is AggregateException { InnerExceptions.Count: > 0 } many ? many.InnerExceptions[0] : inner;
        }

        return ex;
    }

    private async Task SendLoopAsync()
    {
        try
        {
            while (await _sendQueue.WaitToReadAsync())
            {
                while (_sendQueue.TryDequeue(out var message))
                {
                    using (message)
                    {
                        // No token: a send stuck on a peer that stopped reading ends by the close deadline's abort.
                        await _socket.SendAsync(message.Memory, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // Sending stays legal after the peer's close frame arrives (CloseReceived), so a failure here is a
            // broken connection, not a close racing the send.
            TrySetEnd(new UpstreamEnd(UpstreamEndReason.ConnectionLost, "sending failed: " + ex.Message));

            _sendQueue.DisposeQueued();
        }
    }

    /// <summary>Sends our close frame when the socket still allows it; a failure here changes no outcome.</summary>
    private async Task CloseOutputAsync()
    {
        if (_socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }

        try
        {
            await _socket.CloseOutputAsync(_closeStatusToSend, _closeDescriptionToSend, _abort.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The end is already decided and logged; the socket is aborted next.
        }
    }

    private void OnCallerCancelled()
    {
        if (TrySetEnd(new UpstreamEnd(UpstreamEndReason.Cancelled, "the caller cancelled the session")))
        {
            _sendQueue.DisposeQueued();
            _received.Writer.TryComplete();
            StartCloseDeadline();
        }
    }

    private void EndMalformed(WebSocketCloseStatus status, string description)
    {
        if (TrySetEnd(new UpstreamEnd(UpstreamEndReason.MalformedFrame, description)))
        {
            _closeStatusToSend = status;
            _closeDescriptionToSend = "malformed server event";
        }
    }

    private bool TrySetEnd(UpstreamEnd end)
    {
        if (Interlocked.CompareExchange(ref _end, end, null) is not null)
        {
            return false;
        }

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
            _closeDeadline ??= _timeProvider.CreateTimer(
                static state => ((WebSocketRealtimeConnection)state!).Abort(),
                this,
                _settings.CloseTimeout,
                Timeout.InfiniteTimeSpan);
        }
    }

    private void Abort()
    {
        try
        {
            _abort.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already torn down.
        }

        _socket.Abort();
    }

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
