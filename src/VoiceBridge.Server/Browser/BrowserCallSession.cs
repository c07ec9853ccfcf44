using System.Buffers;
using System.Collections.Frozen;
using System.Net.WebSockets;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using VoiceBridge.Audio;
using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Realtime.Transport;
using VoiceBridge.Server.Audit;
using VoiceBridge.Server.Sessions;
using VoiceBridge.Server.Telemetry;

namespace VoiceBridge.Server.Browser;

/// <summary>
/// One browser or SDK client speaking the Realtime GA protocol: relays client events to the upstream through the
/// server-policy filter and server events back, resampling PCM for clients at 16 or 48 kHz. Shaped like
/// <see cref="TwilioCallSession"/>: a receive loop per socket and a send loop for the client joined by a bounded
/// channel, the first loop to finish ends the others, a close handshake with a reason, every pooled buffer returned.
/// </summary>
internal sealed partial class BrowserCallSession : ILiveCall, IAsyncDisposable
{
    /// <summary>Client event types forwarded (docs/protocols/openai-realtime.md#client-events, WebSocket only);
    /// anything else gets an error event.</summary>
    public static readonly FrozenSet<string> AllowedClientTypes = new[]
    {
        RealtimeEventTypes.SessionUpdate, RealtimeEventTypes.InputAudioBufferAppend, RealtimeEventTypes.InputAudioBufferCommit,
        RealtimeEventTypes.InputAudioBufferClear, RealtimeEventTypes.ConversationItemCreate, "conversation.item.retrieve",
        "conversation.item.delete", RealtimeEventTypes.ConversationItemTruncate, RealtimeEventTypes.ResponseCreate,
        RealtimeEventTypes.ResponseCancel,
    }.ToFrozenSet(StringComparer.Ordinal);

    private const string SystemItemRefused = "System and developer messages would override the server's instructions; the event was not forwarded.";

    // Client events are parsed with repeated names refused too (RealtimeJsonKeys runs first; this keeps every parse strict).
    private static readonly JsonDocumentOptions StrictJson = new() { AllowDuplicateProperties = false };

    private readonly CallerSocket _client;
    private readonly CallRecorder? _audit;
    private readonly IRealtimeConnector _connector;
    private readonly SessionFieldFilter _filter;
    private readonly EffectiveSession _effective;
    private readonly BrowserSessionSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Utf8IdCache _responseIds = new();
    private readonly Utf8IdCache _itemIds = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IRealtimeConnection? _upstream;

    // Read by the upstream loop, replaced by the client loop when a session.update declares a new rate: one
    // reference so the rate and its resampler always match.
    private volatile AudioPath _output;
    private AudioPath _input;
    private RateWindow _appendRate;
    private RateWindow _refusedRate;
    private int _flooding;
    private int _loggedRefusals;
    private long _errorsSent;
    private long _duplicateKeyEvents;
    private int _ended;
    private int _closed;
    private CallEndReason _endReason;
    private string? _endDetail;

    public BrowserCallSession(
        WebSocket client,
        IRealtimeConnector connector,
        SessionFieldFilter filter,
        EffectiveSession effective,
        BrowserSessionSettings settings,
        TimeProvider time,
        ILogger logger,
        CallRecorder? audit = null)
    {
        ArgumentNullException.ThrowIfNull(effective);
        ArgumentNullException.ThrowIfNull(settings);
        _client = new CallerSocket(client, settings.SendQueueCapacity, settings.MaxMessageBytes, audit);
        _audit = audit;
        audit?.Attach(this);
        _connector = connector;
        _filter = filter;
        _effective = effective;
        _settings = settings;
        _time = time;
        _logger = logger;
        _input = AudioPath.For(effective.InputRate, ClientAudioFormat.UpstreamRate);
        _output = AudioPath.For(effective.OutputRate, ClientAudioFormat.UpstreamRate, toClient: true);
    }

    /// <summary>Identifies the connection in logs.</summary>
    public string Id { get; } = "browser_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));

    string? ILiveCall.CallId => Id;

    /// <inheritdoc/>
    public string Transport => "browser";

    /// <inheritdoc/>
    public string? Caller => null;

    /// <inheritdoc/>
    public string State => "live";

    /// <inheritdoc/>
    public Calls.CallController? Control => null;

    /// <inheritdoc/>
    public void RecordControl(string action, string adminKeyId, string? detail) => _audit?.Controlled(action, adminKeyId, detail);

    /// <summary>This connection's spans and metrics (Telemetry/); detached unless the endpoint started one.</summary>
    public CallTelemetry Telemetry { get; init; } = CallTelemetry.Detached("browser");

    /// <summary>When the client counts as flooding and is closed (<c>Session:MaxRefusedMessages</c>, <c>Session:RefusedWindow</c>).</summary>
    public CallerFlood Flood { get; init; } = new();

    /// <summary>Error events the bridge itself sent to the client.</summary>
    public long ErrorsSent => Interlocked.Read(ref _errorsSent);

    /// <summary>Client events refused because they repeat a JSON key.</summary>
    public long DuplicateKeyEvents => Interlocked.Read(ref _duplicateKeyEvents);

    /// <summary>Runs the connection to its end and returns why it ended.</summary>
    public async Task<CallEndReason> RunAsync(CancellationToken aborted)
    {
        // The request is aborted when the caller's connection drops; the shutdown drain stops calls by itself (Shutdown/).
        using var shutdown = aborted.Register(() => Stop(CallEndReason.CallerAborted, "client connection dropped without a close"));
        // Disposed when the method returns, after the finally block has closed the socket (no read is pending then).
        using var receiveBuffer = new ReceiveBuffer();
        var clientSend = SendToClientAsync();
        Task? clientReceive = null;
        _audit?.Open(Id, CallRecorders.BrowserPolicy(_effective.InputRate, _effective.OutputRate));
        try
        {
            Telemetry.OnStarted(Id, null, "pcm24k", (double)ClientAudioFormat.UpstreamRate / _effective.InputRate);
            var connect = await Telemetry.ConnectAsync(_connector, _stop.Token);
            if (!connect.IsConnected)
            {
                var failure = connect.Failure!;
                End(CallEndReason.UpstreamConnectFailed, failure.Description);
                LogUpstreamConnectFailed(_logger, Id, failure.Reason, failure.Description);
                QueueError(RealtimeErrorDetail.ServerError, ClientErrorCodes.UpstreamUnavailable, "The model is not reachable; try again later.", null, null);
                clientReceive = DrainClientAsync(receiveBuffer);
                return _endReason;
            }

            _upstream = _audit?.Wrap(connect.Connection!) ?? connect.Connection!;
            // The server's policy goes first: nothing the client sends is read before the upstream confirmed it.
            await _upstream.SendAsync(ToMessage(_effective.ToUpstreamUpdate()), _stop.Token);
            if (!await SettleAsync())
            {
                clientReceive = DrainClientAsync(receiveBuffer);
                return _endReason;
            }

            LogStarted(_logger, Id, _effective.InputRate, _effective.OutputRate);
            clientReceive = ReceiveFromClientAsync(receiveBuffer);
            var upstreamReceive = ReceiveFromUpstreamAsync(_stop.Token);
            await Task.WhenAny(clientReceive, upstreamReceive, clientSend, _stopped.Task);
            await _stop.CancelAsync();
            _client.CompleteSending();
            await upstreamReceive;
            return _endReason;
        }
        catch (OperationCanceledException)
        {
            End(CallEndReason.ServerShutdown, "aborted");
            clientReceive ??= DrainClientAsync(receiveBuffer);
            return _endReason;
        }
        catch (Exception ex)
        {
            Fail(ex);
            return _endReason;
        }
        finally
        {
            try
            {
                // Queued events (an error explaining the end) go out before the close frame, within the close timeout.
                _client.CompleteSending();
                await clientSend.WaitAsync(WebSocketClosing.Timeout, _time, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                await CloseAsync(clientReceive);
            }
            finally
            {
                // On every path, whatever failed above: the trail gets its end and close records and its file is released.
                await (_audit?.CompleteAsync(_endReason, _endDetail) ?? Task.CompletedTask);
                LogEnded(_logger, Id, _endReason, _endDetail ?? string.Empty, ErrorsSent, DuplicateKeyEvents);
            }
        }
    }

    // An exception no handler expected: logged with its stack, the client told, the session ended with a reason.
    private void Fail(Exception ex)
    {
        LogFailed(_logger, Id, ex);
        QueueError(RealtimeErrorDetail.ServerError, ClientErrorCodes.InternalError, "The bridge failed to handle an event; the session is closed.", null, null);
        Stop(CallEndReason.InternalError, "unexpected " + ex.GetType().Name);
    }

    /// <summary>Ends the connection from outside (shutdown, operator, the call's audit budget).</summary>
    public void Stop(CallEndReason reason, string detail)
    {
        if (reason == CallEndReason.AuditBudget && Volatile.Read(ref _ended) == 0)
        {
            // The client should know why its session ends (it goes out before the close frame).
            QueueError(RealtimeErrorDetail.InvalidRequestError, ClientErrorCodes.AuditBudgetExceeded,
                "This session made the bridge write more audit records than one session may; the session is closed.", null, null);
        }

        End(reason, detail);
        _stopped.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync(null);
        _stop.Dispose();
    }

    // Waits for the upstream's session.updated answering the server's policy, then greets the client with a
    // session.created showing that effective session (the upstream's own session.created shows its defaults).
    private async Task<bool> SettleAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(_settings.SettleTimeout);
        while (true)
        {
            RealtimeReceiveResult result;
            try
            {
                result = await _upstream!.ReceiveAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
            {
                End(CallEndReason.UpstreamConnectFailed, "upstream did not confirm the session in time");
                QueueError(RealtimeErrorDetail.ServerError, ClientErrorCodes.UpstreamUnavailable, "The model did not accept the session in time.", null, null);
                return false;
            }

            if (result.IsEnd)
            {
                End(CallEndReason.UpstreamClosed, result.End!.Description);
                QueueError(RealtimeErrorDetail.ServerError, ClientErrorCodes.UpstreamUnavailable, "The model closed the session.", null, null);
                return false;
            }

            using var message = result.Message;
            if (!RealtimeEventPeek.TryPeek(message.Span, out var type))
            {
                continue;
            }

            if (type == RealtimeEventType.Error)
            {
                // The server's own configuration was refused: an operator problem, not the client's.
                End(CallEndReason.UpstreamConnectFailed, "upstream refused the server session policy");
                LogPolicyRefused(_logger, Id);
                QueueError(RealtimeErrorDetail.ServerError, ClientErrorCodes.UpstreamUnavailable, "The bridge's session configuration was refused by the model.", null, null);
                return false;
            }

            if (type == RealtimeEventType.SessionUpdated)
            {
                var root = ShapeSessionEvent(message.Span);
                root["type"] = RealtimeEventTypes.SessionCreated;
                return QueueToClient(ToMessage(root));
            }
        }
    }

    private async Task DrainClientAsync(ReceiveBuffer buffer)
    {
        CallerRead read;
        while ((read = await _client.ReadAsync(buffer)).Kind != CallerReadKind.Closed)
        {
            _audit?.Dropped(CallDrop.AfterEnd, read.Length);
        }
    }

    private async Task ReceiveFromClientAsync(ReceiveBuffer buffer)
    {
        var token = _stop.Token;
        while (true)
        {
            var read = await _client.ReadAsync(buffer);
            if (read.Kind == CallerReadKind.Closed)
            {
                End(read.Aborted ? CallEndReason.CallerAborted : CallEndReason.CallerClosed,
                    read.Aborted ? "client connection dropped without a close" : "client closed the socket");
                return;
            }

            if (token.IsCancellationRequested || Volatile.Read(ref _ended) == 1)
            {
                // Ending (the reason is set before the loops are cancelled): keep reading until the client answers our
                // close frame, but act on nothing (counted).
                _audit?.Dropped(CallDrop.AfterEnd, read.Length);
                continue;
            }

            if (read.Kind == CallerReadKind.TooBig)
            {
                QueueError(RealtimeErrorDetail.InvalidRequestError, ClientErrorCodes.MessageTooLarge,
                    $"Messages are limited to {_settings.MaxMessageBytes} bytes.", null, null);
                Stop(CallEndReason.MessageTooBig, "message over the size cap");
                _audit?.Dropped(CallDrop.TooBig, read.Length);
                continue;
            }

            if (read.Kind == CallerReadKind.Binary)
            {
                // The Realtime protocol over WebSocket is JSON text frames only
                // (docs/protocols/openai-realtime.md#connecting-over-websocket).
                QueueError(RealtimeErrorDetail.InvalidRequestError, ClientErrorCodes.BinaryFrame,
                    "Binary frames are not supported; send JSON text events.", null, null);
                Refuse(CallDrop.BinaryFrame, read.Length);
                continue;
            }

            try
            {
                await HandleClientMessageAsync(buffer.Array.AsMemory(0, read.Length), token);
            }
            catch (OperationCanceledException)
            {
                // The upstream send was cancelled because the connection is ending.
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
            {
                // A shape the typed parse accepted but the policy filter cannot read (JsonNode is stricter about
                // value kinds): refused like any other bad event, never forwarded.
                QueueError(RealtimeErrorDetail.InvalidRequestError, ClientErrorCodes.InvalidValue, "The event has fields of the wrong type.", null, null);
            }
            catch (Exception ex)
            {
                Fail(ex);
            }
        }
    }

    private async ValueTask HandleClientMessageAsync(ReadOnlyMemory<byte> json, CancellationToken token)
    {
        if (!RealtimeEventPeek.TryPeek(json.Span, out var type))
        {
            QueueError(RealtimeErrorDetail.InvalidRequestError, ClientErrorCodes.InvalidJson,
                "The event is not a JSON object with a string 'type'.", null, null);
            Refuse(CallDrop.MalformedJson, json.Length);
            return;
        }

        // Before anything reads the event: a repeated key means one thing to our parser and maybe another to the
        // upstream's (RealtimeJsonKeys), so the whole event is refused, at any depth, appends included.
        if (RealtimeJsonKeys.TryFindDuplicate(json.Span, out var duplicate))
        {
            RefuseDuplicateKey(duplicate, duplicate == "event_id" ? null : ReadEventId(json.Span), json.Length);
            return;
        }

        if (type == RealtimeEventType.InputAudioBufferAppend)
        {
            await AppendAsync(json, token);
            return;
        }

        if (!RealtimeEventSerializer.TryParse(json.Span, out var parsed))
        {
            QueueError(RealtimeErrorDetail.InvalidRequestError, ClientErrorCodes.InvalidValue, "The event has fields of the wrong type.", null, null);
            Refuse(CallDrop.InvalidValue, json.Length);
            return;
        }

        if (!AllowedClientTypes.Contains(parsed.Type))
        {
            QueueError(RealtimeErrorDetail.InvalidRequestError, ClientErrorCodes.InvalidValue,
                $"Invalid value: '{parsed.Type}'. Supported values are: {string.Join(", ", AllowedClientTypes.Order(StringComparer.Ordinal))}.",
                "type", parsed.EventId);
            Refuse(CallDrop.UnexpectedEvent, json.Length);
            return;
        }

        // An event the bridge acts on is audited as the client sent it (refused ones above are only counted).
        _audit?.Received(json.Span, binary: false);

        // From here the event is one JsonObject: the policy reads it and what goes up is its serialisation, never the
        // client's bytes, so the upstream sees exactly the event the policy judged.
        var root = JsonNode.Parse(json.Span, documentOptions: StrictJson)!.AsObject();
        var forward = type switch
        {
            RealtimeEventType.SessionUpdate => FilterSessionUpdate(root, parsed.EventId),
            RealtimeEventType.ResponseCreate => FilterResponseCreate(root, parsed.EventId),
            RealtimeEventType.ConversationItemCreate when !_filter.MayPlace(root["item"]) =>
                Refuse("item.role", SystemItemRefused, parsed.EventId),
            _ => ToMessage(root),
        };

        if (!forward.IsEmpty)
        {
            await _upstream!.SendAsync(forward, token);
        }
    }

    private RealtimeMessage FilterSessionUpdate(JsonObject root, string? eventId)
    {
        if (root["session"] is not JsonObject session)
        {
            // No session: the upstream answers with its own missing-parameter error.
            return ToMessage(root);
        }

        if (session["type"] is JsonValue sessionType && sessionType.TryGetValue<string>(out var typeName) && typeName != "realtime")
        {
            return Refuse("session.type", "This bridge serves 'realtime' sessions only.", eventId);
        }

        var input = ReadDeclaredRate(session, "input", eventId);
        var output = ReadDeclaredRate(session, "output", eventId);
        foreach (var path in _filter.RemoveForbidden(session))
        {
            LogForbiddenField(_logger, Id, path);
            QueueError(RealtimeErrorDetail.InvalidRequestError, ClientErrorCodes.ForbiddenParameter,
                $"The server fixes '{path}' for this client; the field was removed.", path, eventId);
        }

        if (input is { } inputRate)
        {
            _input = AudioPath.For(inputRate, ClientAudioFormat.UpstreamRate);
        }

        if (output is { } outputRate)
        {
            _output = AudioPath.For(outputRate, ClientAudioFormat.UpstreamRate, toClient: true);
        }

        ClientAudioFormat.Replace(session, "input", ClientAudioFormat.UpstreamRate);
        ClientAudioFormat.Replace(session, "output", ClientAudioFormat.UpstreamRate);
        return ToMessage(root);
    }

    // The client's declared PCM rate for one direction; an unsupported format is removed with an error.
    private int? ReadDeclaredRate(JsonObject session, string direction, string? eventId)
    {
        if (session["audio"]?[direction] is not JsonObject audio || !audio.ContainsKey("format"))
        {
            return null;
        }

        if (ClientAudioFormat.TryReadRate(audio["format"], out var rate))
        {
            return rate;
        }

        audio.Remove("format");
        QueueError(RealtimeErrorDetail.InvalidRequestError, ClientErrorCodes.UnsupportedFormat,
            "Only {\"type\":\"audio/pcm\"} at 16000, 24000 or 48000 Hz is supported by this bridge.", $"session.audio.{direction}.format", eventId);
        return null;
    }

    private RealtimeMessage FilterResponseCreate(JsonObject root, string? eventId)
    {
        if (root["response"] is JsonObject response)
        {
            // A system or developer item refuses the whole response: without its input it would mean something else.
            // Checked whether or not input is allowed, so the check cannot be forgotten when it is.
            if (response["input"] is JsonArray input)
            {
                for (var i = 0; i < input.Count; i++)
                {
                    if (!_filter.MayPlace(input[i]))
                    {
                        return Refuse($"response.input[{i}].role", SystemItemRefused, eventId);
                    }
                }
            }

            foreach (var path in _filter.RemoveForbiddenResponseFields(response))
            {
                LogForbiddenField(_logger, Id, path);
                QueueError(RealtimeErrorDetail.InvalidRequestError, ClientErrorCodes.ForbiddenParameter,
                    $"The server fixes '{path}' for this client; the field was removed.", path, eventId);
            }
        }

        return ToMessage(root);
    }

    private void RefuseDuplicateKey(string name, string? eventId, int bytes)
    {
        Interlocked.Increment(ref _duplicateKeyEvents);
        QueueError(RealtimeErrorDetail.InvalidRequestError, ClientErrorCodes.DuplicateKey,
            $"The event repeats the key '{name}'; each key may appear once per object. The event was not forwarded.", null, eventId);

        // Counted into the audit's drop summary and the flood window like any refused event; logged once per session.
        Refuse(CallDrop.DuplicateKey, bytes);
    }

    private RealtimeMessage Refuse(string param, string message, string? eventId)
    {
        LogForbiddenField(_logger, Id, param);
        QueueError(RealtimeErrorDetail.InvalidRequestError, ClientErrorCodes.ForbiddenParameter, message, param, eventId);
        return default;
    }

    private async ValueTask AppendAsync(ReadOnlyMemory<byte> json, CancellationToken token)
    {
        var received = System.Diagnostics.Stopwatch.GetTimestamp();
        if (IsFlooding(out var firstExcess))
        {
            if (firstExcess)
            {
                // One error per one-second window: an error per dropped append would flood the client instead.
                QueueError(RealtimeErrorDetail.InvalidRequestError, ClientErrorCodes.RateLimitExceeded,
                    $"More than {_settings.MaxAppendsPerSecond} input_audio_buffer.append events per second; the excess is dropped.", null, null);
            }

            Refuse(CallDrop.Flood, json.Length);
            return;
        }

        var decoded = ArrayPool<byte>.Shared.Rent(RealtimeAudioFrames.GetMaxDecodedAudioLength(json.Length));
        try
        {
            // PCM16 has two bytes a sample: an odd count cannot be the declared format.
            if (!RealtimeAudioFrames.TryReadInputAudioBufferAppend(json.Span, decoded, out var length) || (length & 1) != 0)
            {
                QueueError(RealtimeErrorDetail.InvalidRequestError, ClientErrorCodes.InvalidValue,
                    "'audio' must be base64 of 16-bit PCM in the session's input format.", "audio", ReadEventId(json.Span));
                Refuse(CallDrop.InvalidBase64, json.Length);
                return;
            }

            // Audited before it is forwarded: the recording places the client's copy at the upstream copy's offset.
            _audit?.Received(json.Span, binary: false);
            if (length == 0)
            {
                return;
            }

            RealtimeMessage message;
            if (_input.Resampler is { } resampler)
            {
                var resampled = Resample(resampler, decoded.AsSpan(0, length), out var produced);
                message = RealtimeAudioFrames.WriteInputAudioBufferAppend(MemoryMarshal.AsBytes(resampled.AsSpan(0, produced)));
                ArrayPool<short>.Shared.Return(resampled);
            }
            else
            {
                message = RealtimeAudioFrames.WriteInputAudioBufferAppend(decoded.AsSpan(0, length));
            }

            await _upstream!.SendAsync(message, token);
            Telemetry.OnInboundAudio(length, received);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(decoded);
        }
    }

    // Resamples PCM16 little-endian (the wire format, docs/protocols/openai-realtime.md#audio-formats; this machine is
    // little-endian too) into a buffer rented from ArrayPool<short>.Shared that the caller returns.
    private static short[] Resample(Resampler resampler, ReadOnlySpan<byte> pcmBytes, out int produced)
    {
        var samples = MemoryMarshal.Cast<byte, short>(pcmBytes[..(pcmBytes.Length & ~1)]);
        var output = ArrayPool<short>.Shared.Rent(Math.Max(1, resampler.GetMaxOutputLength(samples.Length)));
        produced = resampler.Process(samples, output);
        return output;
    }

    private async Task ReceiveFromUpstreamAsync(CancellationToken token)
    {
        var upstream = _upstream!;
        try
        {
            while (!token.IsCancellationRequested)
            {
                var result = await upstream.ReceiveAsync(token);
                if (result.IsEnd)
                {
                    var end = result.End!;
                    if (end.Reason != UpstreamEndReason.Cancelled && end.Reason != UpstreamEndReason.ClosedByUs)
                    {
                        End(CallEndReason.UpstreamClosed, end.Description);
                        LogUpstreamEnded(_logger, Id, end.Reason, end.Description);
                    }

                    return;
                }

                if (!HandleUpstreamEvent(result.Message))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // Takes ownership of the message. Returns false when the client cannot keep up (the connection then ends).
    private bool HandleUpstreamEvent(RealtimeMessage message)
    {
        RealtimeEventPeek.TryPeek(message.Span, out var type);
        Telemetry.OnUpstreamEvent(type, message.Span);
        switch (type)
        {
            case RealtimeEventType.ResponseOutputAudioDelta when _output.Resampler is not null:
                using (message)
                {
                    return ForwardResampledAudio(message.Span);
                }

            case RealtimeEventType.SessionCreated or RealtimeEventType.SessionUpdated:
                using (message)
                {
                    return QueueToClient(ToMessage(ShapeSessionEvent(message.Span)));
                }

            default:
                return QueueToClient(message);
        }
    }

    private bool ForwardResampledAudio(ReadOnlySpan<byte> json)
    {
        var path = _output;
        var decoded = ArrayPool<byte>.Shared.Rent(RealtimeAudioFrames.GetMaxDecodedAudioLength(json.Length));
        try
        {
            if (!RealtimeAudioFrames.TryReadOutputAudioDelta(json, decoded, out var delta))
            {
                return QueueToClient(RealtimeMessage.Copy(json, RealtimeMessageKind.Audio));
            }

            var responseId = _responseIds.Get(json[delta.ResponseId]);
            var itemId = _itemIds.Get(json[delta.ItemId]);
            var resampled = Resample(path.Resampler!, decoded.AsSpan(0, delta.AudioLength), out var produced);
            var message = RealtimeAudioFrames.WriteOutputAudioDelta(
                MemoryMarshal.AsBytes(resampled.AsSpan(0, produced)), default, responseId, itemId, delta.OutputIndex, delta.ContentIndex);
            ArrayPool<short>.Shared.Return(resampled);
            return QueueToClient(message);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(decoded);
        }
    }

    private JsonObject ShapeSessionEvent(ReadOnlySpan<byte> json)
    {
        var root = JsonNode.Parse(json)!.AsObject();
        if (root["session"] is JsonObject session)
        {
            _filter.ShapeForClient(session, _input.Rate, _output.Rate);
        }

        return root;
    }

    private void QueueError(string type, string code, string message, string? param, string? clientEventId)
    {
        var number = Interlocked.Increment(ref _errorsSent);
        var error = new ErrorEvent
        {
            EventId = "event_bridge_" + number.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Error = new RealtimeErrorDetail { Type = type, Code = code, Message = message, Param = param, EventId = clientEventId },
        };
        QueueToClient(RealtimeEventSerializer.ToMessage(error));
    }

    private bool QueueToClient(RealtimeMessage message)
    {
        if (_client.TryQueue(message))
        {
            return true;
        }

        if (Volatile.Read(ref _ended) == 0)
        {
            LogNotReading(_logger, Id, _settings.SendQueueCapacity);
        }

        Stop(CallEndReason.CallerNotReading, "send queue full");
        return false;
    }

    private async Task SendToClientAsync()
    {
        if (!await _client.SendLoopAsync())
        {
            End(CallEndReason.CallerClosed, "client connection lost while sending");
        }
    }

    /// <summary>
    /// A client message refused (the client already got an error event): counted and summarised in the audit (never
    /// written itself), logged once per reason; past <see cref="CallerFlood.MaxRefused"/> within the window the client
    /// gets one more error and is closed with 1008. Client loop only.
    /// </summary>
    private void Refuse(CallDrop drop, int bytes)
    {
        _audit?.Dropped(drop, bytes);
        var bit = 1 << (int)drop;
        if ((Interlocked.Or(ref _loggedRefusals, bit) & bit) == 0)
        {
            LogRefused(_logger, Id, drop);
        }

        if (_refusedRate.Count(_time, Flood.Window) <= Flood.MaxRefused || Interlocked.Exchange(ref _flooding, 1) == 1)
        {
            return;
        }

        LogFlooding(_logger, Id, Flood.MaxRefused, Flood.Window.TotalSeconds);
        QueueError(RealtimeErrorDetail.InvalidRequestError, ClientErrorCodes.TooManyRefused,
            $"More than {Flood.MaxRefused} events were refused within {Flood.Window.TotalSeconds:F0} s; the session is closed.", null, null);
        Stop(CallEndReason.CallerFlooding, $"more than {Flood.MaxRefused} refused messages within {Flood.Window.TotalSeconds:F0} s");
    }

    private bool IsFlooding(out bool firstExcess)
    {
        var count = _appendRate.Count(_time);
        firstExcess = count == _settings.MaxAppendsPerSecond + 1;
        return count > _settings.MaxAppendsPerSecond;
    }

    private void End(CallEndReason reason, string detail)
    {
        if (Interlocked.CompareExchange(ref _ended, 1, 0) == 0)
        {
            _endReason = reason;
            _endDetail = detail;
        }
    }

    private async ValueTask CloseAsync(Task? clientReceive)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        _client.DiscardQueued();
        await WebSocketClosing.CloseUpstreamAsync(_upstream, _time);

        await CloseClientAsync(clientReceive);
    }

    private ValueTask CloseClientAsync(Task? clientReceive)
    {
        var (status, description) = _endReason switch
        {
            CallEndReason.MessageTooBig => (WebSocketCloseStatus.MessageTooBig, "message too big"),
            CallEndReason.CallerNotReading => (WebSocketCloseStatus.PolicyViolation, "client not reading"),
            CallEndReason.PolicyViolation => (WebSocketCloseStatus.PolicyViolation, "policy violation"),
            CallEndReason.CallerFlooding => (WebSocketCloseStatus.PolicyViolation, "too many refused events"),
            CallEndReason.AuditBudget => (WebSocketCloseStatus.PolicyViolation, "audit budget spent"),
            CallEndReason.UpstreamConnectFailed or CallEndReason.UpstreamClosed => (WebSocketCloseStatus.InternalServerError, "upstream unavailable"),
            CallEndReason.InternalError => (WebSocketCloseStatus.InternalServerError, "internal error"),
            CallEndReason.ServerShutdown => (WebSocketCloseStatus.EndpointUnavailable, "server shutting down"),
            _ => (WebSocketCloseStatus.NormalClosure, "session ended"),
        };

        return _client.CloseAsync(status, description, clientReceive, _time);
    }

    private static RealtimeMessage ToMessage(JsonNode node)
    {
        var buffer = new PooledBufferWriter();
        try
        {
            using (var writer = new Utf8JsonWriter(buffer))
            {
                node.WriteTo(writer);
            }

            return buffer.DetachMessage(RealtimeMessageKind.Control);
        }
        finally
        {
            buffer.Dispose();
        }
    }

    private static string? ReadEventId(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isId = reader.ValueTextEquals("event_id"u8);
                reader.Read();
                if (isId)
                {
                    return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }

    /// <summary>A client's PCM rate and the resampler between it and the upstream's 24 kHz (null at 24 kHz).</summary>
    private sealed record AudioPath(int Rate, Resampler? Resampler)
    {
        public static AudioPath For(int clientRate, int upstreamRate, bool toClient = false) =>
            new(clientRate, clientRate == upstreamRate ? null : toClient ? Resampler.Create(upstreamRate, clientRate) : Resampler.Create(clientRate, upstreamRate));
    }
}
