using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using VoiceBridge.Audio;
using VoiceBridge.Realtime.Audit;
using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Realtime.Transport;
using VoiceBridge.Server.Sessions;
using VoiceBridge.Server.Twilio;

namespace VoiceBridge.Server.Audit;

/// <summary>
/// One call's audit: every message on both legs (through <see cref="ICallerLegTap"/> and <see cref="Wrap"/>), the
/// bridge's decisions, the recording and the live heard transcript. Sessions hold one and call it in one-line hooks.
/// Everything here copies and returns: records go to the background audit writer, audio to the recording's writer.
/// </summary>
internal sealed partial class CallRecorder : ICallerLegTap, IAsyncDisposable
{
    public const string SessionType = "audit.session";
    public const string PolicyType = "bridge.policy";
    public const string BargeInType = "bridge.barge_in";
    public const string DropType = "bridge.drop";
    public const string EndType = "bridge.end";
    public const string UpstreamGapType = "bridge.upstream_gap";
    public const string RecordingFailedType = "bridge.recording_failed";
    public const string ControlType = "bridge.control";

    // Caller messages that arrive before the call id is known (Twilio's connected and start): kept, then audited at Open.
    private const int MaxEarlyMessages = 8;

    // Drops are written as one summary per reason at most this often (and at the call's end): a flood of refused
    // input costs a few records a minute, not one per message.
    private static readonly TimeSpan DropSummaryInterval = TimeSpan.FromSeconds(10);

    private static readonly int DropReasons = Enum.GetValues<CallDrop>().Length;

    private readonly IAuditTrail _trail;
    private readonly AuditOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _transport;
    private readonly bool _phone;
    private readonly int _upstreamBytesPerMs;
    private readonly Lock _earlyGate = new();
    private readonly List<(byte[] Buffer, int Length, bool Binary)> _early = [];
    private CallAudit? _audit;
    private CallRecording? _recording;
    private ILiveCall? _call;
    private readonly long[] _dropCounts = new long[DropReasons];
    private readonly long[] _dropBytes = new long[DropReasons];
    private long _lastDropSummary;
    private int _summarising;
    private readonly Dictionary<string, AuditTurnRedactor> _turns = [];
    private int _overBound;
    private int _overBudget;
    private int _recordingFailureNoted;

    public CallRecorder(IAuditTrail trail, AuditOptions options, TimeProvider time, ILogger logger, string transport, string upstreamAudio)
    {
        _trail = trail;
        _options = options;
        _time = time;
        _logger = logger;
        _transport = transport;
        _phone = transport == AuditFormat.TwilioTransport;
        UpstreamAudio = upstreamAudio;
        _upstreamBytesPerMs = upstreamAudio == "pcm24k" ? 48 : 8;
        Transcript = new HeardTranscript(_upstreamBytesPerMs);
        _lastDropSummary = time.GetTimestamp();
    }

    /// <summary>The upstream audio format: <c>pcm24k</c> or <c>pcmu</c>.</summary>
    public string UpstreamAudio { get; }

    /// <summary>The conversation so far as the caller heard it (for re-seeding an upstream session).</summary>
    public HeardTranscript Transcript { get; }

    /// <summary>The call's trail once opened.</summary>
    public CallAudit? Audit => _audit;

    /// <summary>The call this recorder ends when its audit falls behind beyond the bound.</summary>
    public void Attach(ILiveCall call) => _call = call;

    /// <summary>The call id is known: opens the trail (header, session record, policy) and the recording.</summary>
    public void Open(string callId, BridgeDecision policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var audit = _trail.Open(callId, _transport);
        string? recordingName = null;
        if (_options.Record)
        {
            recordingName = OpenRecording(callId, audit);
        }

        var info = new AuditSessionInfo(_transport, recordingName, _recording?.SampleRate, _options.Redact, _options.RedactDtmf, UpstreamAudio);
        Handle(audit.RecordDecision(SessionType, info, AuditJsonContext.Default.AuditSessionInfo));
        Handle(audit.RecordDecision(PolicyType, policy, AuditJsonContext.Default.BridgeDecision));
        lock (_earlyGate)
        {
            _audit = audit;
            foreach (var (buffer, length, binary) in _early)
            {
                Record(AuditDirection.CallerIn, buffer.AsSpan(0, length), binary);
                ArrayPool<byte>.Shared.Return(buffer);
            }

            _early.Clear();
        }
    }

    /// <summary>The upstream connection, audited both ways.</summary>
    public IRealtimeConnection Wrap(IRealtimeConnection connection) => new AuditedConnection(connection, this);

    /// <summary>A caller message the session accepted (refused ones are <see cref="Dropped"/>: counted, never written).</summary>
    public void Received(ReadOnlySpan<byte> message, bool binary)
    {
        if (_audit is null && StashEarly(message, binary))
        {
            return;
        }

        Record(AuditDirection.CallerIn, message, binary);
    }

    public void Sent(ReadOnlySpan<byte> message) => Record(AuditDirection.CallerOut, message, binary: false);

    internal void UpstreamSent(ReadOnlySpan<byte> message) => Record(AuditDirection.UpstreamOut, message, binary: false);

    internal void UpstreamReceived(ReadOnlySpan<byte> message) => Record(AuditDirection.UpstreamIn, message, binary: false);

    /// <summary>
    /// The session refused an input of <paramref name="bytes"/> (or discarded audio) for this reason: counted, and
    /// written as a <c>bridge.drop</c> summary per reason (count and bytes, never the payload) at most every 10 s and at
    /// the call's end.
    /// </summary>
    public void Dropped(CallDrop drop, int bytes = 0)
    {
        Interlocked.Increment(ref _dropCounts[(int)drop]);
        Interlocked.Add(ref _dropBytes[(int)drop], bytes);
        if (_audit is not null && _time.GetElapsedTime(Interlocked.Read(ref _lastDropSummary)) >= DropSummaryInterval)
        {
            WriteDropSummaries();
        }
    }

    /// <summary>An operator acted on the call through the admin API: which action, by which admin key (its id, never the key).</summary>
    public void Controlled(string action, string adminKeyId, string? detail) =>
        Decide(ControlType, new BridgeDecision { Reason = action, AdminKeyId = adminKeyId, Detail = detail });

    /// <summary>The caller spoke over the assistant: what the bridge cleared, truncated and silenced.</summary>
    /// <summary>The upstream was lost (or rotated) and the bridge reconnected, or gave up: the gap, on the record.</summary>
    public void UpstreamGap(UpstreamGap gap) => Decide(UpstreamGapType, new BridgeDecision
    {
        Reason = gap.Resumed ? "resumed" : "gave_up",
        Detail = string.Create(CultureInfo.InvariantCulture,
            $"{gap.Cause}: {gap.Detail}; {gap.Attempts} attempts, gap {gap.Duration.TotalMilliseconds:F0} ms, {gap.ReplayedTurns} turns replayed, {gap.DroppedAudioFrames} caller audio frames and {gap.DroppedControlEvents} events dropped, response requested: {gap.ResponseRequested}"),
    });

    public void BargeIn(BargeInDecision decision)
    {
        if (!decision.IsNoOp)
        {
            Decide(BargeInType, new BridgeDecision
            {
                ItemId = decision.TruncateItemId,
                AudioEndMs = decision.TruncateItemId is null ? null : decision.TruncateAtMs,
                Clear = decision.SendClear,
                InterruptedResponseId = decision.InterruptedResponseId,
            });
        }
    }

    /// <summary>
    /// The call is over: records why, closes the trail and waits (bounded by <c>Audit:CompleteTimeoutMs</c>) until its
    /// close record is durable, then finishes the recording.
    /// </summary>
    public async Task CompleteAsync(CallEndReason reason, string? detail)
    {
        lock (_earlyGate)
        {
            foreach (var (buffer, _, _) in _early)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            _early.Clear();
        }

        var audit = _audit;
        if (audit is not null)
        {
            WriteDropSummaries();
            Decide(EndType, new BridgeDecision { Reason = EndName(reason), Detail = detail });
            audit.Complete(EndName(reason));
            var durable = await Task.WhenAny(audit.Completion, Task.Delay(TimeSpan.FromMilliseconds(_options.CompleteTimeoutMs), _time)).ConfigureAwait(false);
            if (durable != audit.Completion)
            {
                LogCompleteTimedOut(_logger, audit.CallId, _options.CompleteTimeoutMs);
            }
        }

        if (_recording is not null)
        {
            await _recording.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Finishes the recording if <see cref="CompleteAsync"/> never ran (the session failed before its end).</summary>
    public ValueTask DisposeAsync() => _recording?.DisposeAsync() ?? ValueTask.CompletedTask;

    /// <summary>The end reason as written in the trail (snake case).</summary>
    internal static string EndName(CallEndReason reason) => reason switch
    {
        CallEndReason.CallerHungUp => "caller_hung_up",
        CallEndReason.CallerClosed => "caller_closed",
        CallEndReason.PolicyViolation => "policy_violation",
        CallEndReason.MessageTooBig => "message_too_big",
        CallEndReason.CallerNotReading => "caller_not_reading",
        CallEndReason.UpstreamConnectFailed => "upstream_connect_failed",
        CallEndReason.UpstreamClosed => "upstream_closed",
        CallEndReason.ServerShutdown => "server_shutdown",
        CallEndReason.AuditBehind => "audit_behind",
        CallEndReason.EndedByBridge => "ended_by_bridge",
        CallEndReason.CallerFlooding => "caller_flooding",
        CallEndReason.AuditBudget => "audit_budget",
        CallEndReason.InternalError => "internal_error",
        CallEndReason.CallerAborted => "caller_aborted",
        _ => reason.ToString(),
    };

    private static string DropName(CallDrop drop) => drop switch
    {
        CallDrop.BinaryFrame => "binary_frame",
        CallDrop.MalformedJson => "malformed_json",
        CallDrop.UnexpectedEvent => "unexpected_event",
        CallDrop.MissingField => "missing_field",
        CallDrop.InvalidBase64 => "invalid_base64",
        CallDrop.EmptyPayload => "empty_payload",
        CallDrop.WrongStreamSid => "wrong_stream_sid",
        CallDrop.BeforeStart => "before_start",
        CallDrop.Flood => "flood",
        CallDrop.UnknownMark => "unknown_mark",
        CallDrop.ClearedMark => "cleared_mark",
        CallDrop.InterruptedAudio => "interrupted_audio",
        CallDrop.MalformedUpstreamEvent => "malformed_upstream_event",
        CallDrop.BargeIn => "barge_in",
        CallDrop.TooBig => "message_too_big",
        CallDrop.InvalidValue => "invalid_value",
        CallDrop.AfterEnd => "after_end",
        CallDrop.InvalidDtmf => "invalid_dtmf",
        CallDrop.DuplicateKey => "duplicate_key",
        _ => drop.ToString(),
    };

    // One writer at a time (the caller and upstream loops both drop); a summary racing this one is left for the next.
    private void WriteDropSummaries()
    {
        if (Interlocked.Exchange(ref _summarising, 1) == 1)
        {
            return;
        }

        try
        {
            Interlocked.Exchange(ref _lastDropSummary, _time.GetTimestamp());
            for (var i = 0; i < DropReasons; i++)
            {
                var count = Interlocked.Exchange(ref _dropCounts[i], 0);
                var bytes = Interlocked.Exchange(ref _dropBytes[i], 0);
                if (count > 0)
                {
                    Decide(DropType, new BridgeDecision { Reason = DropName((CallDrop)i), Count = count, Bytes = bytes });
                }
            }
        }
        finally
        {
            Volatile.Write(ref _summarising, 0);
        }
    }

    private void Decide(string type, BridgeDecision decision)
    {
        if (_audit is { } audit)
        {
            Handle(audit.RecordDecision(type, decision, AuditJsonContext.Default.BridgeDecision));
        }
    }

    private bool StashEarly(ReadOnlySpan<byte> message, bool binary)
    {
        lock (_earlyGate)
        {
            if (_audit is not null)
            {
                return false;
            }

            if (_early.Count < MaxEarlyMessages)
            {
                var copy = ArrayPool<byte>.Shared.Rent(Math.Max(1, message.Length));
                message.CopyTo(copy);
                _early.Add((copy, message.Length, binary));
            }

            // Beyond the first few, messages before the call id are not audited (the call never started).
            return true;
        }
    }

    private void Record(AuditDirection direction, ReadOnlySpan<byte> message, bool binary)
    {
        var audit = _audit;
        if (audit is null)
        {
            return;
        }

        if (binary)
        {
            Handle(audit.Record(direction, AuditEventName.Binary, message));
            return;
        }

        var type = AuditEventName.Read(message);
        if (IsAudio(type))
        {
            Handle(audit.RecordAudio(direction, type, message, Place(direction, type, message)));
            if (direction == AuditDirection.UpstreamIn)
            {
                Transcript.Observe(direction, message);
            }

            return;
        }

        if (direction is AuditDirection.UpstreamIn or AuditDirection.UpstreamOut)
        {
            Transcript.Observe(direction, message);
            if (_recording is not null && !_phone && direction == AuditDirection.UpstreamOut && type == RealtimeEventTypes.ConversationItemTruncate)
            {
                // A browser client truncates when it stopped playing: what it had not played was not heard.
                _recording.Clear();
            }
        }
        else if (_recording is not null && _phone && direction == AuditDirection.CallerOut && type == "clear")
        {
            _recording.Clear();
        }

        if (_options.Redact && IsTextDelta(type))
        {
            // A card can be spoken across deltas: each delta type is redacted as one running text (AuditTurnRedactor).
            // Text deltas are a few per second; audio never comes here.
            var redacted = new ArrayBufferWriter<byte>();
            if (AuditRedactor.TryRedactJson(message, text: true, _options.RedactDtmf, redacted, Turn(type)))
            {
                Handle(audit.Record(direction, type, redacted.WrittenSpan));
                return;
            }
        }
        else if (_turns.Count > 0 && (type.EndsWith(".done", StringComparison.Ordinal) || type.EndsWith(".completed", StringComparison.Ordinal)))
        {
            lock (_turns)
            {
                foreach (var turn in _turns.Values)
                {
                    turn.Reset();
                }
            }
        }

        if (AuditRedactor.NeedsRedaction(message, _options.Redact, _options.RedactDtmf))
        {
            // Rare (a transcript with a long digit run, a key press, Twilio's start): allocating here is fine.
            var redacted = new ArrayBufferWriter<byte>();
            if (AuditRedactor.TryRedactJson(message, _options.Redact, _options.RedactDtmf, redacted))
            {
                Handle(audit.Record(direction, type, redacted.WrittenSpan));
                return;
            }
        }

        Handle(audit.Record(direction, type, message));
    }

    private static bool IsTextDelta(string type) =>
        type is "response.output_audio_transcript.delta" or "response.output_text.delta" or "conversation.item.input_audio_transcription.delta";

    private AuditTurnRedactor Turn(string type)
    {
        lock (_turns)
        {
            if (!_turns.TryGetValue(type, out var turn))
            {
                _turns.Add(type, turn = new AuditTurnRedactor());
            }

            return turn;
        }
    }

    private static bool IsAudio(string type) =>
        type is "media" or RealtimeEventTypes.InputAudioBufferAppend or RealtimeEventTypes.ResponseOutputAudioDelta;

    // Feeds the recording from the leg the caller hears (the phone leg for Twilio calls, the upstream leg at 24 kHz for
    // browser calls) and returns the audio's offset in it; the other leg's copy of the same audio gets the same offset.
    private long Place(AuditDirection direction, string type, ReadOnlySpan<byte> message)
    {
        var recording = _recording;
        if (recording is null)
        {
            return 0;
        }

        var offset = (_phone, direction) switch
        {
            (true, AuditDirection.CallerIn) => PlaceTwilioMedia(recording, message, caller: true),
            (true, AuditDirection.CallerOut) => PlaceTwilioMedia(recording, message, caller: false),
            (true, AuditDirection.UpstreamOut) => recording.LastCallerOffset,
            (true, _) => recording.NextAssistantOffset,
            (false, AuditDirection.UpstreamOut) => PlacePcm(recording, message, caller: true),
            (false, AuditDirection.UpstreamIn) => PlacePcm(recording, message, caller: false),
            (false, AuditDirection.CallerIn) => recording.NextCallerOffset,
            _ => recording.LastAssistantOffset,
        };

        if (recording.Failed && Interlocked.Exchange(ref _recordingFailureNoted, 1) == 0)
        {
            LogRecordingFailed(_logger, _audit!.CallId);
            Decide(RecordingFailedType, new BridgeDecision { Reason = "the recording's writer fell behind or failed; the rest of the call is not recorded" });
        }

        return offset;
    }

    private static long PlaceTwilioMedia(CallRecording recording, ReadOnlySpan<byte> json, bool caller)
    {
        var mulaw = ArrayPool<byte>.Shared.Rent(RealtimeAudioFrames.GetMaxDecodedAudioLength(json.Length));
        var pcm = ArrayPool<short>.Shared.Rent(mulaw.Length);
        try
        {
            if (TwilioReader.Read(json, mulaw, out var frame) != TwilioReadStatus.Ok || frame.PayloadLength == 0)
            {
                return caller ? recording.NextCallerOffset : recording.NextAssistantOffset;
            }

            MuLaw.Decode(mulaw.AsSpan(0, frame.PayloadLength), pcm);
            var samples = pcm.AsSpan(0, frame.PayloadLength);
            return caller ? recording.Caller(samples) : recording.Assistant(samples);
        }
        finally
        {
            ArrayPool<short>.Shared.Return(pcm);
            ArrayPool<byte>.Shared.Return(mulaw);
        }
    }

    private static long PlacePcm(CallRecording recording, ReadOnlySpan<byte> json, bool caller)
    {
        var decoded = ArrayPool<byte>.Shared.Rent(RealtimeAudioFrames.GetMaxDecodedAudioLength(json.Length));
        try
        {
            int length;
            if (caller)
            {
                if (!RealtimeAudioFrames.TryReadInputAudioBufferAppend(json, decoded, out length))
                {
                    return recording.NextCallerOffset;
                }
            }
            else if (RealtimeAudioFrames.TryReadOutputAudioDelta(json, decoded, out var delta))
            {
                length = delta.AudioLength;
            }
            else
            {
                return recording.NextAssistantOffset;
            }

            // PCM16 little-endian (docs/protocols/openai-realtime.md#audio-formats), the machine's order too.
            var samples = MemoryMarshal.Cast<byte, short>(decoded.AsSpan(0, length & ~1));
            return caller ? recording.Caller(samples) : recording.Assistant(samples);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(decoded);
        }
    }

    private string? OpenRecording(string callId, CallAudit audit)
    {
        var root = Path.GetFullPath(_options.Directory);
        var day = _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var name = FileAuditStore.SafeName(callId);
        try
        {
            Directory.CreateDirectory(Path.Combine(root, day));
            for (var n = 1; n < 100; n++)
            {
                var file = n == 1 ? name + ".wav" : $"{name}.{n}.wav";
                var path = Path.Combine(root, day, file);
                if (File.Exists(path))
                {
                    continue;
                }

                // Unbuffered: every half-second chunk reaches the OS at once, so a killed process leaves it on disk.
                var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 0, FileOptions.Asynchronous);
                _recording = new CallRecording(stream, _phone ? 8000 : 24000, wallClock: !_phone, _time);
                return day + "/" + file;
            }
        }
        catch (IOException ex)
        {
            LogRecordingNotOpened(_logger, audit.CallId, ex.Message);
        }
        catch (UnauthorizedAccessException ex)
        {
            LogRecordingNotOpened(_logger, audit.CallId, ex.Message);
        }

        return null;
    }

    private void Handle(AuditAppend append)
    {
        if (append == AuditAppend.OverBound && Interlocked.Exchange(ref _overBound, 1) == 0)
        {
            LogOverBound(_logger, _audit?.CallId ?? "(opening)", _options.BacklogPerCall);
            _call?.Stop(CallEndReason.AuditBehind, "the call's audit backlog passed Audit:BacklogPerCall");
        }
        else if (append == AuditAppend.OverBudget && Interlocked.Exchange(ref _overBudget, 1) == 0)
        {
            // Ending the call, not dropping its records: a trail with a hole cannot be told from a tampered one, and
            // the records of the call's end (summaries, end, close) still fit in the budget's slack.
            var spent = _audit?.BudgetSpent ?? "audit budget spent";
            LogOverBudget(_logger, _audit?.CallId ?? "(opening)", spent);
            _call?.Stop(CallEndReason.AuditBudget, spent);
        }
    }

    [LoggerMessage(EventId = 6014, Level = LogLevel.Warning, Message = "Call {CallId}: audit budget spent ({Spent}); ending the call")]
    private static partial void LogOverBudget(ILogger logger, string callId, string spent);

    [LoggerMessage(EventId = 6010, Level = LogLevel.Error, Message = "Call {CallId}: audit backlog over {Bound} records; ending the call (its records are kept)")]
    private static partial void LogOverBound(ILogger logger, string callId, int bound);

    [LoggerMessage(EventId = 6011, Level = LogLevel.Warning, Message = "Call {CallId}: close record not durable within {TimeoutMs} ms; the writer keeps it and retries")]
    private static partial void LogCompleteTimedOut(ILogger logger, string callId, int timeoutMs);

    [LoggerMessage(EventId = 6012, Level = LogLevel.Error, Message = "Call {CallId}: recording stopped (writer behind or failing); the audit trail goes on")]
    private static partial void LogRecordingFailed(ILogger logger, string callId);

    [LoggerMessage(EventId = 6013, Level = LogLevel.Error, Message = "Call {CallId}: recording not opened: {Reason}")]
    private static partial void LogRecordingNotOpened(ILogger logger, string callId, string reason);
}
