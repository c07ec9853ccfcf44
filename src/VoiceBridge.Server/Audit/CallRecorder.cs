using System.Buffers;
using System.Globalization;
using VoiceBridge.Audio;
using VoiceBridge.Realtime.Audit;
using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Server.Core;

namespace VoiceBridge.Server.Audit;

/// <summary>
/// One call's audit, as one of its observers: every message on both legs, the bridge's decisions, and the recording of
/// what the caller said and heard. Audio comes decoded from the task that decoded it (<see cref="AudioFrame"/>): the
/// recording takes its PCM and the trail its wire message with the recording offset — nothing is parsed or decoded here
/// again. Everything here copies and returns: records go to the background audit writer, audio to the recording's writer.
/// </summary>
internal sealed partial class CallRecorder : ICallObserver, IAsyncDisposable
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
    private readonly Lock _earlyGate = new();
    private readonly List<(byte[] Buffer, int Length, bool Binary)> _early = [];
    private readonly string _callerAudioType;
    private readonly string _callerOutAudioType;
    private ILiveCall? _call;
    private CallAudit? _audit;
    private CallRecording? _recording;
    private readonly IRecordingStore _recordings;
    private readonly long[] _dropCounts = new long[DropReasons];
    private readonly long[] _dropBytes = new long[DropReasons];
    private long _lastDropSummary;
    private int _summarising;
    private readonly AuditEventRedaction _redaction;
    private int _overBound;
    private int _overBudget;
    private int _recordingFailureNoted;

    public CallRecorder(
        IAuditTrail trail, AuditOptions options, TimeProvider time, ILogger logger, string transport, string upstreamAudio, ILiveCall? call = null, IRecordingStore? recordings = null)
    {
        _call = call;
        _recordings = recordings ?? new FileRecordingStore(options, time);
        _trail = trail;
        _options = options;
        _time = time;
        _logger = logger;
        _transport = transport;
        _phone = transport == AuditFormat.TwilioTransport;
        UpstreamAudio = upstreamAudio;
        // The audio events each leg carries: the record's type is known from the hook, not read from the message.
        _callerAudioType = _phone ? "media" : RealtimeEventTypes.InputAudioBufferAppend;
        _callerOutAudioType = _phone ? "media" : RealtimeEventTypes.ResponseOutputAudioDelta;
        _lastDropSummary = time.GetTimestamp();
        _redaction = new AuditEventRedaction(options.Redact, options.RedactDtmf);
    }

    /// <summary>The call this recorder ends when its audit falls behind beyond the bound or spends its budget.</summary>
    public void Attach(ILiveCall call) => _call = call;

    /// <summary>The upstream audio format: <c>pcm24k</c> or <c>pcmu</c>.</summary>
    public string UpstreamAudio { get; }

    /// <summary>The call's trail once opened.</summary>
    public CallAudit? Audit => _audit;

    /// <summary>The call id is known: opens the trail (header, session record, policy) and the recording.</summary>
    public void OnStarted(CallStarted call)
    {
        ArgumentNullException.ThrowIfNull(call);
        Open(call.CallId, new BridgeDecision
        {
            Model = call.Policy.Model,
            AudioFormat = call.Policy.AudioFormat,
            TranscriptionModel = call.Policy.TranscriptionModel,
            TurnDetection = call.Policy.TurnDetection,
            Detail = call.Policy.Detail,
        });
    }

    /// <summary>Opens the trail (header, session record, policy) and the recording.</summary>
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

    /// <summary>A caller message the leg accepted (refused ones are <see cref="Dropped"/>: counted, never written).</summary>
    public void OnCallerMessage(ReadOnlySpan<byte> wire, bool binary)
    {
        if (_audit is null && StashEarly(wire, binary))
        {
            return;
        }

        Record(AuditDirection.CallerIn, wire, binary);
    }

    public void OnCallerAudio(in AudioFrame frame)
    {
        // A phone call's recording is the phone leg at 8 kHz; a browser call's is the upstream leg at 24 kHz, where the
        // caller's copy is placed when it goes up.
        var offset = _recording is not { } recording ? 0 : _phone ? recording.Caller(Pcm(frame)) : recording.NextCallerOffset;
        RecordAudio(AuditDirection.CallerIn, _callerAudioType, frame.Wire, frame.Payload, offset);
    }

    public void OnCallerSent(ReadOnlySpan<byte> wire)
    {
        var type = Record(AuditDirection.CallerOut, wire, binary: false);
        if (_recording is not null && _phone && type == "clear")
        {
            _recording.Clear();
        }
    }

    public void OnCallerAudioSent(in AudioFrame frame)
    {
        var offset = _recording is not { } recording ? 0 : _phone ? recording.Assistant(Pcm(frame)) : recording.LastAssistantOffset;
        RecordAudio(AuditDirection.CallerOut, _callerOutAudioType, frame.Wire, frame.Payload, offset);
    }

    public void OnUpstreamSent(RealtimeEventType type, ReadOnlySpan<byte> wire)
    {
        Record(AuditDirection.UpstreamOut, wire, binary: false);
        if (_recording is not null && !_phone && type == RealtimeEventType.ConversationItemTruncate)
        {
            // A browser client truncates when it stopped playing: what it had not played was not heard.
            _recording.Clear();
        }
    }

    public void OnUpstreamAudioSent(in AudioFrame frame)
    {
        var offset = _recording is not { } recording ? 0 : _phone ? recording.LastCallerOffset : recording.Caller(frame.Pcm);
        RecordAudio(AuditDirection.UpstreamOut, RealtimeEventTypes.InputAudioBufferAppend, frame.Wire, frame.Payload, offset);
    }

    public void OnUpstreamEvent(RealtimeEventType type, ReadOnlySpan<byte> wire) => Record(AuditDirection.UpstreamIn, wire, binary: false);

    public void OnUpstreamAudio(in AudioFrame frame)
    {
        var offset = _recording is not { } recording ? 0 : _phone ? recording.NextAssistantOffset : recording.Assistant(frame.Pcm);
        RecordAudio(AuditDirection.UpstreamIn, RealtimeEventTypes.ResponseOutputAudioDelta, frame.Wire, frame.Payload, offset);
    }

    public void OnDrop(CallDrop drop, int bytes) => Dropped(drop, bytes);

    public void OnBargeIn(BargeInDecision decision) => BargeIn(decision);

    public void OnUpstreamGap(UpstreamGap gap) => UpstreamGap(gap);

    public void OnControl(string action, string adminKeyId, string? detail) => Controlled(action, adminKeyId, detail);

    public async ValueTask OnEndedAsync(CallEndReason reason, string? detail) => await CompleteAsync(reason, detail).ConfigureAwait(false);

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

    /// <summary>The end reason as written in the trail (the call vocabulary's snake case name).</summary>
    internal static string EndName(CallEndReason reason) => reason.Name();

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
                    Decide(DropType, new BridgeDecision { Reason = ((CallDrop)i).Name(), Count = count, Bytes = bytes });
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

    // A non-audio message as it crossed a leg (redacted when it carries text to redact); returns its type.
    private string? Record(AuditDirection direction, ReadOnlySpan<byte> message, bool binary)
    {
        var audit = _audit;
        if (audit is null)
        {
            return null;
        }

        if (binary)
        {
            Handle(audit.Record(direction, AuditEventName.Binary, message));
            return AuditEventName.Binary;
        }

        var type = AuditEventName.Read(message);
        if (_redaction.Redact(type, message) is { } redacted)
        {
            Handle(audit.Record(direction, type, redacted));
            return type;
        }

        Handle(audit.Record(direction, type, message));
        return type;
    }

    // An audio message: the writer replaces its payload by {bytes, offset, sha256}; offset is where its audio starts in
    // the recording of that direction (the other leg's copy of the same audio gets the same offset).
    private void RecordAudio(AuditDirection direction, string type, ReadOnlySpan<byte> wire, ReadOnlySpan<byte> payload, long offset)
    {
        if (_audit is not { } audit)
        {
            return;
        }

        Handle(audit.RecordAudio(direction, type, wire, payload, offset));
        if (_recording is { Failed: true } && Interlocked.Exchange(ref _recordingFailureNoted, 1) == 0)
        {
            LogRecordingFailed(_logger, audit.CallId);
            Decide(RecordingFailedType, new BridgeDecision { Reason = "the recording's writer fell behind or failed; the rest of the call is not recorded" });
        }
    }

    // The frame's PCM; μ-law passed through undecoded is expanded here, once, for the recording only.
    private static ReadOnlySpan<short> Pcm(in AudioFrame frame)
    {
        if (!frame.Pcm.IsEmpty || frame.Payload.IsEmpty)
        {
            return frame.Pcm;
        }

        var pcm = new short[frame.Payload.Length];
        MuLaw.Decode(frame.Payload, pcm);
        return pcm;
    }

    private string? OpenRecording(string callId, CallAudit audit)
    {
        if (_recordings.Create(callId, out var error) is not { } target)
        {
            LogRecordingNotOpened(_logger, audit.CallId, error ?? "no recording store");
            return null;
        }

        _recording = new CallRecording(target.Stream, _phone ? 8000 : 24000, wallClock: !_phone, _time);
        return target.Name;
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
