using System.Buffers;
using System.Collections.Frozen;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using VoiceBridge.Audio;
using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Realtime.Transport;
using VoiceBridge.Server.Core;

namespace VoiceBridge.Server.Browser;

/// <summary>
/// The Realtime-client leg of a call (a browser or SDK speaking the OpenAI Realtime GA protocol): the server-policy filter
/// on client events (a deny-by-default field list, an event allow-list, no system or developer items, repeated keys
/// refused, and what goes upstream is our serialisation of the filtered event, never the client's bytes), PCM at 16, 24 or
/// 48 kHz resampled to the upstream's 24 kHz, and error events that say what was refused. Server-side tools run in the
/// core's call controller; the client sees them only with <c>Browser:ExposeTools</c>. Everything else about the call is
/// the core's (<see cref="CallSession"/>).
/// </summary>
internal sealed partial class RealtimeClientLeg : ICallerLeg, IDisposable
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
    private readonly SessionFieldFilter _filter;
    private readonly EffectiveSession _effective;
    private readonly JsonObject _session;
    private readonly Lock _effectiveGate = new();
    private readonly BrowserSessionSettings _settings;
    private readonly bool _exposeTools;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _id = "browser_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
    private CallSession? _call;

    // Read by the upstream loop, replaced by the client loop when a session.update declares a new rate: one
    // reference so the rate and its resampler always match.
    private volatile AudioPath _output;
    private AudioPath _input;
    private RateWindow _appendRate;
    private long _errorsSent;
    private long _duplicateKeyEvents;

    // When the client's playback of what was sent ends, if it plays in real time from the first delta: the bridge's
    // estimate of "still playing" (a client owns its playback and tells only by truncating).
    private long _playbackEndsAt;

    // Fires when that estimate says the last response's audio has played: the browser's counterpart of Twilio's last mark
    // echo, so what waits for the caller to have heard the assistant (a goodbye, the idle clock) goes on.
    private readonly ITimer _playbackEnded;

    public RealtimeClientLeg(
        WebSocket client,
        SessionFieldFilter filter,
        EffectiveSession effective,
        BrowserSessionSettings settings,
        bool exposeTools,
        TimeProvider time,
        ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(effective);
        ArgumentNullException.ThrowIfNull(settings);
        _client = new CallerSocket(client, settings.SendQueueCapacity, settings.MaxMessageBytes, OnSendFailed);
        _filter = filter;
        _effective = effective;
        _session = effective.Session.DeepClone().AsObject();
        _settings = settings;
        _exposeTools = exposeTools;
        _time = time;
        _logger = logger;
        _input = AudioPath.For(effective.InputRate, ClientAudioFormat.UpstreamRate);
        _output = AudioPath.For(effective.OutputRate, ClientAudioFormat.UpstreamRate, toClient: true);
        _playbackEnded = time.CreateTimer(static state => ((RealtimeClientLeg)state!).OnPlaybackEnded(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public string Transport => "browser";

    public string UpstreamAudio => "pcm24k";

    /// <summary>Error events the bridge itself sent to the client.</summary>
    public long ErrorsSent => Interlocked.Read(ref _errorsSent);

    /// <summary>Client events refused because they repeat a JSON key.</summary>
    public long DuplicateKeyEvents => Interlocked.Read(ref _duplicateKeyEvents);

    public bool IsPlaying => _time.GetTimestamp() < Interlocked.Read(ref _playbackEndsAt);

    public ValueTask<LegStart?> AcceptAsync(CallSession call)
    {
        // The client presented its token at the upgrade: the call starts at once.
        _call = call;
        LogStarted(_logger, _id, _effective.InputRate, _effective.OutputRate);
        return ValueTask.FromResult<LegStart?>(new LegStart
        {
            CallId = _id,
            SessionUpdate = UpstreamSessionUpdate,
            Policy = new CallPolicySummary
            {
                AudioFormat = UpstreamAudio,
                Detail = $"client PCM in {_effective.InputRate} Hz, out {_effective.OutputRate} Hz; session fields outside Browser:ClientMayChange are removed",
            },
            InboundBytesRatio = (double)ClientAudioFormat.UpstreamRate / _effective.InputRate,
        });
    }

    // The upstream's session.updated answering the server's policy: the client is greeted with a session.created that
    // shows the effective session (the upstream's own session.created shows its defaults).
    public void OnSettled(RealtimeMessage sessionUpdated)
    {
        using (sessionUpdated)
        {
            var root = ShapeSessionEvent(sessionUpdated.Span);
            root["type"] = RealtimeEventTypes.SessionCreated;
            SendToClient(ToMessage(root));
        }
    }

    public void OnEnding(CallEndReason reason, string message)
    {
        var (type, code) = reason switch
        {
            CallEndReason.UpstreamConnectFailed or CallEndReason.UpstreamClosed => (RealtimeErrorDetail.ServerError, ClientErrorCodes.UpstreamUnavailable),
            CallEndReason.InternalError => (RealtimeErrorDetail.ServerError, ClientErrorCodes.InternalError),
            CallEndReason.AuditBudget => (RealtimeErrorDetail.InvalidRequestError, ClientErrorCodes.AuditBudgetExceeded),
            CallEndReason.CallerFlooding => (RealtimeErrorDetail.InvalidRequestError, ClientErrorCodes.TooManyRefused),
            _ => (null, null),
        };

        if (type is not null)
        {
            QueueError(type, code!, message, null, null);
        }
    }

    public async Task ReceiveAsync(CallSession call)
    {
        try
        {
            while (true)
            {
                var read = await _client.ReadAsync();
                if (read.Kind == CallerReadKind.Closed)
                {
                    call.End(read.Aborted ? CallEndReason.CallerAborted : CallEndReason.CallerClosed,
                        read.Aborted ? "client connection dropped without a close" : "client closed the socket");
                    return;
                }

                if (call.HasEnded)
                {
                    // Ending (the reason is set before the loops are cancelled): keep reading until the client answers our
                    // close frame, but act on nothing (counted).
                    call.Count(CallDrop.AfterEnd, read.Length);
                    continue;
                }

                if (read.Kind == CallerReadKind.TooBig)
                {
                    QueueError(RealtimeErrorDetail.InvalidRequestError, ClientErrorCodes.MessageTooLarge,
                        $"Messages are limited to {_settings.MaxMessageBytes} bytes.", null, null);
                    call.Drop(CallDrop.TooBig, read.Length);
                    call.Stop(CallEndReason.MessageTooBig, "message over the size cap");
                    continue;
                }

                if (read.Kind == CallerReadKind.Binary)
                {
                    // The Realtime protocol over WebSocket is JSON text frames only
                    // (docs/protocols/openai-realtime.md#connecting-over-websocket).
                    QueueError(RealtimeErrorDetail.InvalidRequestError, ClientErrorCodes.BinaryFrame,
                        "Binary frames are not supported; send JSON text events.", null, null);
                    call.Refuse(CallDrop.BinaryFrame, read.Length);
                    continue;
                }

                try
                {
                    await HandleClientMessageAsync(call, _client.Message);
                }
                catch (OperationCanceledException)
                {
                    // The upstream send was cancelled because the call is ending.
                }
                catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
                {
                    // A shape the typed parse accepted but the policy filter cannot read (JsonNode is stricter about
                    // value kinds): refused like any other bad event, never forwarded.
                    QueueError(RealtimeErrorDetail.InvalidRequestError, ClientErrorCodes.InvalidValue, "The event has fields of the wrong type.", null, null);
                }
            }
        }
#pragma warning disable CA1031 // A bug here ends this call with a reason, an error event and a log line; it must not fault silently.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogFailed(_logger, _id, ex);
            OnEnding(CallEndReason.InternalError, "The bridge failed to handle an event; the session is closed.");
            call.Stop(CallEndReason.InternalError, "unexpected " + ex.GetType().Name);
        }
        finally
        {
            _client.Release();
        }
    }

    // Takes ownership of the message. Returns false when the client cannot keep up (the call then ends).
    public ValueTask<bool> OnUpstreamEventAsync(RealtimeEventType type, RealtimeMessage message, UpstreamAudioDelta audio, CancellationToken cancellationToken)
    {
        if (type is RealtimeEventType.ResponseOutputAudioDone or RealtimeEventType.ResponseDone)
        {
            // All of the response's audio has been sent: say when it will have played.
            ArmPlaybackEnded();
        }

        switch (type)
        {
            case RealtimeEventType.ResponseOutputAudioDelta when audio.IsAudio:
                return ValueTask.FromResult(ForwardAudio(message, audio));
            case RealtimeEventType.ResponseDone when !_exposeTools && MayListToolItems(message.Span):
                using (message)
                {
                    // One that cannot be read cannot be cleaned of the tool calls either: not relayed (the observers saw it).
                    var cleaned = WithoutToolItems(message.Span);
                    return ValueTask.FromResult(cleaned.IsEmpty || SendToClient(cleaned));
                }

            case RealtimeEventType.SessionCreated or RealtimeEventType.SessionUpdated:
                using (message)
                {
                    return ValueTask.FromResult(SendToClient(ToMessage(ShapeSessionEvent(message.Span))));
                }

            case RealtimeEventType.ResponseFunctionCallArgumentsDelta or RealtimeEventType.ResponseFunctionCallArgumentsDone when !_exposeTools:
                // Server-side tools are the bridge's business: the client does not see their calls unless configured to.
                message.Dispose();
                return ValueTask.FromResult(true);
            case RealtimeEventType.ResponseOutputItemAdded or RealtimeEventType.ResponseOutputItemDone
                or RealtimeEventType.ConversationItemAdded or RealtimeEventType.ConversationItemDone when !_exposeTools && IsToolItem(message.Span):
                message.Dispose();
                return ValueTask.FromResult(true);
            default:
                return ValueTask.FromResult(SendToClient(message));
        }
    }

    public async ValueTask CloseAsync(WebSocketCloseStatus status, string description, Task? callerLoop, TimeProvider time)
    {
        // Queued events (an error explaining the end) go out before the close frame, within the close timeout.
        await _client.SendQueuedAsync().WaitAsync(WebSocketClosing.Timeout, time, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _client.DiscardQueued();
        await _client.CloseAsync(status, description, callerLoop, time);
        Dispose();
        LogEnded(_logger, _id, ErrorsSent, DuplicateKeyEvents);
    }

    public void Dispose() => _playbackEnded.Dispose();

    private RealtimeMessage UpstreamSessionUpdate()
    {
        lock (_effectiveGate)
        {
            return ToMessage((_effective with { Session = _session }).ToUpstreamUpdate());
        }
    }

    // The client stopped playing: what it had not played was not heard, and nothing of it still plays.
    private RealtimeMessage Truncated(JsonObject root)
    {
        Interlocked.Exchange(ref _playbackEndsAt, 0);
        _playbackEnded.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _call?.OnPlaybackProgress();
        return ToMessage(root);
    }

    private void ArmPlaybackEnded()
    {
        var remaining = Interlocked.Read(ref _playbackEndsAt) - _time.GetTimestamp();
        if (remaining > 0)
        {
            _playbackEnded.Change(TimeSpan.FromSeconds(remaining / (double)_time.TimestampFrequency), Timeout.InfiniteTimeSpan);
        }
    }

    private void OnPlaybackEnded()
    {
        if (IsPlaying)
        {
            // Early by a rounding, or more audio was sent since: wait for the new end.
            ArmPlaybackEnded();
            return;
        }

        // A timer may fire while the call is closing: its features are gone by then.
        if (_call is { HasEnded: false } call)
        {
            call.OnPlaybackProgress();
        }
    }

    // Cheap pre-check on response.done (once per response): only one that lists a function call needs the parse.
    private static bool MayListToolItems(ReadOnlySpan<byte> json) => json.IndexOf("\"function_call"u8) >= 0;

    // The response.done of a response that called server-side tools, without those calls in its output: the client
    // sees that a response ended, never what the server ran.
    private static RealtimeMessage WithoutToolItems(ReadOnlySpan<byte> json)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json)!.AsObject();
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return default;
        }

        if (root["response"]?["output"] is JsonArray output)
        {
            for (var i = output.Count - 1; i >= 0; i--)
            {
                if (output[i]?["type"] is JsonValue itemType && itemType.TryGetValue<string>(out var name) && name is "function_call" or "function_call_output")
                {
                    output.RemoveAt(i);
                }
            }
        }

        return ToMessage(root);
    }

    private bool ForwardAudio(RealtimeMessage message, UpstreamAudioDelta delta)
    {
        var path = _output;
        var played = delta.Audio.Length / (ClientAudioFormat.UpstreamRate * 2.0);
        var now = _time.GetTimestamp();
        var from = Math.Max(now, Interlocked.Read(ref _playbackEndsAt));
        Interlocked.Exchange(ref _playbackEndsAt, from + (long)(played * _time.TimestampFrequency));
        if (path.Resampler is null)
        {
            // The client speaks the upstream's rate: the delta goes as it came, not re-encoded.
            _call!.Observers.OnCallerAudioSent(new AudioFrame(message.Span, delta.Audio.Span, default, ClientAudioFormat.UpstreamRate, delta.ReceivedAt, delta.ItemId));
            return QueueToClient(message);
        }

        using (message)
        {
            var resampled = Resample(path.Resampler, delta.Audio.Span, out var produced);
            try
            {
                var bytes = MemoryMarshal.AsBytes(resampled.AsSpan(0, produced));
                var forward = RealtimeAudioFrames.WriteOutputAudioDelta(bytes, default, delta.ResponseId, delta.ItemId, delta.OutputIndex, delta.ContentIndex);
                _call!.Observers.OnCallerAudioSent(new AudioFrame(forward.Span, bytes, resampled.AsSpan(0, produced), path.Rate, delta.ReceivedAt, delta.ItemId));
                return QueueToClient(forward);
            }
            finally
            {
                ArrayPool<short>.Shared.Return(resampled);
            }
        }
    }

    // Only for the few item events of a turn: whether the item is a function call or its output.
    private static bool IsToolItem(ReadOnlySpan<byte> json)
    {
        try
        {
            using var document = JsonDocument.Parse(json.ToArray());
            return document.RootElement.TryGetProperty("item", out var item)
                && item.ValueKind == JsonValueKind.Object
                && item.TryGetProperty("type", out var itemType)
                && itemType.ValueKind == JsonValueKind.String
                && itemType.GetString() is "function_call" or "function_call_output";
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private async ValueTask HandleClientMessageAsync(CallSession call, ReadOnlyMemory<byte> json)
    {
        if (!RealtimeEventPeek.TryPeek(json.Span, out var type))
        {
            QueueError(RealtimeErrorDetail.InvalidRequestError, ClientErrorCodes.InvalidJson,
                "The event is not a JSON object with a string 'type'.", null, null);

            // Counted like the phone leg counts a message without 'event': a JSON object naming no known event is an
            // unexpected event; anything else is not JSON the protocol allows.
            call.Refuse(IsJsonObject(json.Span) ? CallDrop.UnexpectedEvent : CallDrop.MalformedJson, json.Length);
            return;
        }

        // Before anything reads the event: a repeated key means one thing to our parser and maybe another to the
        // upstream's (RealtimeJsonKeys), so the whole event is refused, at any depth, appends included.
        if (RealtimeJsonKeys.TryFindDuplicate(json.Span, out var duplicate))
        {
            RefuseDuplicateKey(call, duplicate, duplicate == "event_id" ? null : ReadEventId(json.Span), json.Length);
            return;
        }

        if (type == RealtimeEventType.InputAudioBufferAppend)
        {
            await AppendAsync(call, json);
            return;
        }

        if (!RealtimeEventSerializer.TryParse(json.Span, out var parsed))
        {
            QueueError(RealtimeErrorDetail.InvalidRequestError, ClientErrorCodes.InvalidValue, "The event has fields of the wrong type.", null, null);
            call.Refuse(CallDrop.InvalidValue, json.Length);
            return;
        }

        if (!AllowedClientTypes.Contains(parsed.Type))
        {
            QueueError(RealtimeErrorDetail.InvalidRequestError, ClientErrorCodes.InvalidValue,
                $"Invalid value: '{parsed.Type}'. Supported values are: {string.Join(", ", AllowedClientTypes.Order(StringComparer.Ordinal))}.",
                "type", parsed.EventId);
            call.Refuse(CallDrop.UnexpectedEvent, json.Length);
            return;
        }

        // An event the bridge acts on is audited as the client sent it (refused ones above are only counted).
        call.Observers.OnCallerMessage(json.Span, binary: false);

        // From here the event is one JsonObject: the policy reads it and what goes up is its serialisation, never the
        // client's bytes, so the upstream sees exactly the event the policy judged.
        var root = JsonNode.Parse(json.Span, documentOptions: StrictJson)!.AsObject();
        var forward = type switch
        {
            RealtimeEventType.SessionUpdate => FilterSessionUpdate(root, parsed.EventId),
            RealtimeEventType.ConversationItemTruncate => Truncated(root),
            RealtimeEventType.ResponseCreate => FilterResponseCreate(root, parsed.EventId),
            RealtimeEventType.ConversationItemCreate when !_filter.MayPlace(root["item"]) =>
                Refuse("item.role", SystemItemRefused, parsed.EventId),
            _ => ToMessage(root),
        };

        if (!forward.IsEmpty)
        {
            await call.SendUpstreamAsync(forward);
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
            LogForbiddenField(_logger, _id, path);
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

        // What a new upstream session (a reconnect) is given: the call's session with the client's accepted changes.
        lock (_effectiveGate)
        {
            EffectiveSession.Merge(_session, session);
        }

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
                LogForbiddenField(_logger, _id, path);
                QueueError(RealtimeErrorDetail.InvalidRequestError, ClientErrorCodes.ForbiddenParameter,
                    $"The server fixes '{path}' for this client; the field was removed.", path, eventId);
            }
        }

        return ToMessage(root);
    }

    private void RefuseDuplicateKey(CallSession call, string name, string? eventId, int bytes)
    {
        Interlocked.Increment(ref _duplicateKeyEvents);
        QueueError(RealtimeErrorDetail.InvalidRequestError, ClientErrorCodes.DuplicateKey,
            $"The event repeats the key '{name}'; each key may appear once per object. The event was not forwarded.", null, eventId);

        // Counted into the audit's drop summary and the flood window like any refused event; logged once per session.
        call.Refuse(CallDrop.DuplicateKey, bytes);
    }

    private RealtimeMessage Refuse(string param, string message, string? eventId)
    {
        LogForbiddenField(_logger, _id, param);
        QueueError(RealtimeErrorDetail.InvalidRequestError, ClientErrorCodes.ForbiddenParameter, message, param, eventId);
        return default;
    }

    private async ValueTask AppendAsync(CallSession call, ReadOnlyMemory<byte> json)
    {
        var received = Stopwatch.GetTimestamp();
        if (IsFlooding(out var firstExcess))
        {
            if (firstExcess)
            {
                // One error per one-second window: an error per dropped append would flood the client instead.
                QueueError(RealtimeErrorDetail.InvalidRequestError, ClientErrorCodes.RateLimitExceeded,
                    $"More than {_settings.MaxAppendsPerSecond} input_audio_buffer.append events per second; the excess is dropped.", null, null);
            }

            call.Refuse(CallDrop.Flood, json.Length);
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
                call.Refuse(CallDrop.InvalidBase64, json.Length);
                return;
            }

            await Forward(call, json.Span, decoded.AsSpan(0, length), received);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(decoded);
        }
    }

    // The client's audio, decoded once: shown to the observers, resampled to 24 kHz when the client speaks another rate, and
    // written upstream on this task.
    private ValueTask<bool> Forward(CallSession call, ReadOnlySpan<byte> wire, ReadOnlySpan<byte> pcmBytes, long received)
    {
        var path = _input;
        var samples = MemoryMarshal.Cast<byte, short>(pcmBytes);
        call.Observers.OnCallerAudio(new AudioFrame(wire, pcmBytes, samples, path.Rate, received));
        if (pcmBytes.IsEmpty)
        {
            return ValueTask.FromResult(true);
        }

        if (path.Resampler is not { } resampler)
        {
            return call.SendAudioUpstream(pcmBytes, samples, received);
        }

        var resampled = Resample(resampler, pcmBytes, out var produced);
        try
        {
            return call.SendAudioUpstream(MemoryMarshal.AsBytes(resampled.AsSpan(0, produced)), resampled.AsSpan(0, produced), received);
        }
        finally
        {
            ArrayPool<short>.Shared.Return(resampled);
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
        SendToClient(RealtimeEventSerializer.ToMessage(error));
    }

    // An event for the client that the observers have not seen yet (a relayed server event was seen as it arrived).
    private bool SendToClient(RealtimeMessage message)
    {
        _call?.Observers.OnCallerSent(message.Span);
        return QueueToClient(message);
    }

    private bool QueueToClient(RealtimeMessage message)
    {
        if (_client.TrySend(message))
        {
            return true;
        }

        if (_call is { HasEnded: false } call)
        {
            LogNotReading(_logger, _id, _settings.SendQueueCapacity);
            call.Stop(CallEndReason.CallerNotReading, "send queue full");
        }

        return false;
    }

    private void OnSendFailed(Exception ex) => _call?.Stop(CallEndReason.CallerClosed, "client connection lost while sending");

    private bool IsFlooding(out bool firstExcess)
    {
        var count = _appendRate.Count(_time);
        firstExcess = count == _settings.MaxAppendsPerSecond + 1;
        return count > _settings.MaxAppendsPerSecond;
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

    // Only on the refusal path: whether the text is one whole JSON object.
    private static bool IsJsonObject(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            reader.Skip();
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
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
