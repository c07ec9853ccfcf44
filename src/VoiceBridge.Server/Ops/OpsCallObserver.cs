using System.Globalization;
using VoiceBridge.Realtime.Audit;
using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Realtime.Transport;
using VoiceBridge.Server.Audit;
using VoiceBridge.Server.Core;

namespace VoiceBridge.Server.Ops;

/// <summary>
/// One call as the operations dashboard sees it, fed by the call core's events (never by polling the registry): who is
/// speaking, each turn's first-audio latency, barge-ins, tool calls, drops, reconnects, errors, and the heard transcript,
/// redacted exactly as the audit trail redacts it (the trail's own <see cref="AuditEventRedaction"/>, then the same
/// <see cref="HeardTranscript"/> the trail's transcript is read with). A change bumps a version and queues the call
/// once with <see cref="OpsFeed"/>, which sends at most one update per call per interval. Per-frame hooks only time
/// the hop and flip a flag on a transition: no lock, no allocation.
/// </summary>
internal sealed class OpsCallObserver : ICallObserver
{
    /// <summary>Turn latencies a row carries (the detail's timeline has every turn).</summary>
    public const int RowLatencies = 12;

    private const int MaxTimeline = 300;
    private const int SnapshotTurns = 100;
    private const int SnapshotTimeline = 150;

    private readonly OpsFeed _feed;
    private readonly ILiveCall _call;
    private readonly bool _phone;
    private readonly Lock _gate = new();
    private readonly HeardTranscript _transcript;
    private readonly ICallObserver _transcriptObserver;
    private readonly AuditEventRedaction _redaction;
    private readonly TimeProvider _time;

    // Under _gate.
    private readonly int[] _recentLatencies = new int[RowLatencies];
    private readonly List<OpsTimelineEntry> _timeline = [];
    private int _turns;
    private long _timelineSeq;
    private OpsToolCall? _lastTool;
    private string? _endReason;
    private long? _endedAt;

    // The flush thread's own (OpsFeed): what the last detail update carried.
    private readonly Dictionary<string, (string Text, int? HeardMs)> _sentTurns = new(StringComparer.Ordinal);
    private long _timelineSent;
    private int _sentVersion = -1;
    private int _sentDetailVersion;

    private string? _id;
    private string? _caller;
    private string? _model;
    private long _startedAtMs;
    private long _startedTimestamp;

    private int _bargeIns;
    private int _toolCalls;
    private int _toolsRunning;
    private int _reconnects;
    private int _errors;
    private long _drops;

    // Who is speaking: the caller between speech_started and speech_stopped; the assistant while marks are unanswered
    // (phone: the echoes are the truth about playback) or while its audio streams (other legs).
    private volatile bool _callerSpeaking;
    private volatile bool _assistantStreaming;
    private volatile bool _responseActive;
    private long _lastMarkSent = -1;
    private long _lastMarkDone = -1;
    private long _lastOutboundHop;

    private int _version;
    private int _detailVersion;
    private int _queued;
    private long _changedAt;

    public OpsCallObserver(OpsFeed feed, ILiveCall call, string transport, string upstreamAudio, bool redact, bool redactDtmf, TimeProvider time)
    {
        _feed = feed;
        _call = call;
        Transport = transport;
        _phone = transport == "twilio";
        _time = time;
        _transcript = new HeardTranscript(upstreamAudio == "pcmu" ? 8 : 48);
        _transcriptObserver = _transcript;
        _redaction = new AuditEventRedaction(redact, redactDtmf);
    }

    /// <summary>The call's id once it started; null before.</summary>
    public string? Id => Volatile.Read(ref _id);

    public string Transport { get; }

    public bool HasEnded
    {
        get
        {
            lock (_gate)
            {
                return _endedAt is not null;
            }
        }
    }

    public void OnStarted(CallStarted call)
    {
        ArgumentNullException.ThrowIfNull(call);
        _caller = CallerMask.Mask(call.Caller);
        _model = call.Policy.Model;
        _startedAtMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        _startedTimestamp = _time.GetTimestamp();
        Volatile.Write(ref _id, call.CallId);
        Add("start", (_phone ? "Phone call" : Capitalised(Transport) + " call") + (_caller is null ? " started" : " from " + _caller + " started"));
        _feed.Started(this);
        Changed(detail: true);
    }

    public void OnUpstreamConnected(UpstreamEnd? failure, TimeSpan elapsed)
    {
        if (failure is null || failure.Reason == UpstreamEndReason.Cancelled)
        {
            return;
        }

        Interlocked.Increment(ref _errors);
        Add("error", "Upstream connect failed (" + failure.Reason + ")", (int)elapsed.TotalMilliseconds);
        Changed(detail: true);
    }

    // Caller audio handed to the upstream: the inbound hop (frame arrived → written upstream).
    public void OnUpstreamAudioSent(in AudioFrame frame)
    {
        if (frame.ReceivedAt != 0)
        {
            _feed.Hops.Record(System.Diagnostics.Stopwatch.GetElapsedTime(frame.ReceivedAt));
        }
    }

    // Assistant audio handed to the caller: the outbound hop once per delta, and the assistant speaking on other legs.
    public void OnCallerAudioSent(in AudioFrame frame)
    {
        if (frame.ReceivedAt != 0 && frame.ReceivedAt != _lastOutboundHop)
        {
            _lastOutboundHop = frame.ReceivedAt;
            _feed.Hops.Record(System.Diagnostics.Stopwatch.GetElapsedTime(frame.ReceivedAt));
        }

        if (!_phone && !_assistantStreaming)
        {
            _assistantStreaming = true;
            Changed();
        }
    }

    public void OnUpstreamAudio(in AudioFrame frame) => _transcriptObserver.OnUpstreamAudio(frame);

    public void OnMarkSent(long mark)
    {
        var wasPlaying = Playing();
        Interlocked.Exchange(ref _lastMarkSent, mark);
        if (!wasPlaying)
        {
            Changed();
        }
    }

    public void OnMarkEchoed(long mark, MarkEchoKind kind)
    {
        if (kind == MarkEchoKind.Unknown)
        {
            return;
        }

        var wasPlaying = Playing();
        if (mark > Interlocked.Read(ref _lastMarkDone))
        {
            Interlocked.Exchange(ref _lastMarkDone, mark);
        }

        if (wasPlaying && !Playing())
        {
            Changed();
        }
    }

    public void OnUpstreamEvent(RealtimeEventType type, ReadOnlySpan<byte> wire)
    {
        switch (type)
        {
            case RealtimeEventType.InputAudioBufferSpeechStarted:
                // Barge-in, counted as telemetry counts it: the caller speaks over a response being generated or over
                // audio not yet played.
                if (_responseActive || Playing())
                {
                    Interlocked.Increment(ref _bargeIns);
                    Add("barge_in", "The caller spoke over the assistant");
                }

                _callerSpeaking = true;
                _assistantStreaming = false;
                Changed(detail: true);
                break;
            case RealtimeEventType.InputAudioBufferSpeechStopped:
                _callerSpeaking = false;
                Changed();
                break;
            case RealtimeEventType.ResponseCreated:
                _responseActive = true;
                Changed();
                break;
            case RealtimeEventType.ResponseDone:
                _responseActive = false;
                _assistantStreaming = false;
                Changed();
                break;
            case RealtimeEventType.ResponseOutputAudioDone:
                if (_assistantStreaming)
                {
                    _assistantStreaming = false;
                    Changed();
                }

                break;
            case RealtimeEventType.Error:
                Interlocked.Increment(ref _errors);
                Add("error", "Upstream error (" + ErrorCode(wire) + ")");
                Changed(detail: true);
                break;
        }

        Transcribe(type, wire);
    }

    // The heard transcript as the trail stores it: the events it is read from go through the trail's redaction, and so
    // does every end of a stream (so the running carries of the transcript's deltas are the trail's); the rest of the
    // events, most of them, cost nothing here.
    private void Transcribe(RealtimeEventType type, ReadOnlySpan<byte> wire)
    {
        switch (type)
        {
            case RealtimeEventType.InputAudioBufferCommitted or RealtimeEventType.InputAudioTranscriptionCompleted
                or RealtimeEventType.ConversationItemAdded or RealtimeEventType.ConversationItemDone
                or RealtimeEventType.ResponseOutputItemAdded or RealtimeEventType.ResponseOutputAudioTranscriptDelta
                or RealtimeEventType.ResponseOutputAudioTranscriptDone or RealtimeEventType.ConversationItemTruncated:
                var redacted = _redaction.Redact(AuditEventName.Read(wire), wire);
                _transcript.Observe(AuditDirection.UpstreamIn, redacted ?? wire);
                Changed(detail: true);
                break;
            case RealtimeEventType.ResponseDone or RealtimeEventType.ResponseOutputItemDone or RealtimeEventType.ResponseContentPartDone
                or RealtimeEventType.ResponseOutputAudioDone or RealtimeEventType.ResponseFunctionCallArgumentsDone:
                _redaction.ResetRunningTexts();
                break;
            case RealtimeEventType.Unknown when AuditEventRedaction.EndsRunningTexts(AuditEventName.Read(wire)):
                _redaction.ResetRunningTexts();
                break;
        }
    }

    // The bridge's own truncate (a barge-in on a phone call) cuts the heard transcript, as in the trail.
    public void OnUpstreamSent(RealtimeEventType type, ReadOnlySpan<byte> wire)
    {
        if (type == RealtimeEventType.ConversationItemTruncate)
        {
            _transcript.Observe(AuditDirection.UpstreamOut, wire);
            Changed(detail: true);
        }
    }

    public void OnDrop(CallDrop drop, int bytes)
    {
        // What a barge-in discards on purpose, and what arrives after the end, are not faults.
        if (drop is CallDrop.BargeIn or CallDrop.InterruptedAudio or CallDrop.ClearedMark or CallDrop.AfterEnd)
        {
            return;
        }

        Interlocked.Increment(ref _drops);
        Changed();
    }

    public void OnBargeIn(BargeInDecision decision)
    {
        if (decision.TruncateItemId is not null)
        {
            Add("barge_in", string.Create(CultureInfo.InvariantCulture, $"Playback cut at {decision.TruncateAtMs} ms of the answer"), decision.TruncateAtMs);
            Changed(detail: true);
        }
    }

    public void OnUpstreamGap(UpstreamGap gap)
    {
        ArgumentNullException.ThrowIfNull(gap);
        var ms = (int)gap.Duration.TotalMilliseconds;
        var what = gap.Cause == UpstreamEndReason.ClosedByUs ? "Upstream session rotated" : "Upstream lost (" + gap.Cause + ")";
        if (gap.Resumed)
        {
            Interlocked.Increment(ref _reconnects);
            Add("reconnect", string.Create(CultureInfo.InvariantCulture, $"{what}; resumed after {gap.Attempts} attempt(s) in {ms} ms, {gap.ReplayedTurns} turn(s) replayed"), ms);
        }
        else
        {
            Interlocked.Increment(ref _errors);
            Add("error", string.Create(CultureInfo.InvariantCulture, $"{what}; gave up after {gap.Attempts} attempt(s)"), ms);
        }

        Changed(detail: true);
    }

    public void OnTurnFirstAudio(int turn, TimeSpan latency)
    {
        var ms = (int)Math.Round(latency.TotalMilliseconds);
        _feed.FirstAudio.Record(latency);
        lock (_gate)
        {
            _recentLatencies[_turns % RowLatencies] = ms;
            _turns++;
        }

        Add("turn", string.Create(CultureInfo.InvariantCulture, $"Turn {turn}: first audio in {ms} ms"), ms);
        Changed(detail: true);
    }

    public void OnToolCallStarted(string name, string toolCallId)
    {
        Interlocked.Increment(ref _toolsRunning);
        Changed();
    }

    public void OnToolCallEnded(string name, string toolCallId, TimeSpan duration, ToolCallOutcome outcome)
    {
        var ms = (int)Math.Round(duration.TotalMilliseconds);
        var result = outcome switch
        {
            ToolCallOutcome.Succeeded => "succeeded",
            ToolCallOutcome.Failed => "failed",
            _ => "abandoned",
        };
        Interlocked.Decrement(ref _toolsRunning);
        Interlocked.Increment(ref _toolCalls);
        lock (_gate)
        {
            _lastTool = new OpsToolCall(name, ms, result);
        }

        Add("tool", string.Create(CultureInfo.InvariantCulture, $"Tool {name}: {ms} ms, {result}"), ms, result);
        Changed(detail: true);
    }

    public void OnControl(string action, string adminKeyId, string? detail)
    {
        // A transfer's detail is the number dialled: masked like the caller's.
        var shown = action == "transfer" ? "transfer to " + CallerMask.Mask(detail) : action;
        Add("control", "Operator: " + shown + " (" + adminKeyId + ")");
        Changed(detail: true);
    }

    public ValueTask OnEndedAsync(CallEndReason reason, string? detail)
    {
        if (Id is null)
        {
            return ValueTask.CompletedTask;
        }

        lock (_gate)
        {
            _endReason = reason.Name();
            _endedAt = _time.GetUtcNow().ToUnixTimeMilliseconds();
        }

        _callerSpeaking = false;
        _assistantStreaming = false;
        Add("end", "Ended: " + reason.Name());
        _feed.Ended(this);
        Changed(detail: true);
        return ValueTask.CompletedTask;
    }

    /// <summary>The feed took the call off its queue: the next change queues it again. Returns when the first change it carries happened.</summary>
    internal long Dequeue()
    {
        var changedAt = Volatile.Read(ref _changedAt);
        Volatile.Write(ref _queued, 0);
        return changedAt;
    }

    /// <summary>The row, when it changed since the last one taken (flush thread only).</summary>
    internal OpsCallRow? TakeRow(long changedAt)
    {
        var version = Volatile.Read(ref _version);
        if (version == _sentVersion)
        {
            return null;
        }

        _sentVersion = version;
        return Row(changedAt);
    }

    /// <summary>The row as it is now.</summary>
    internal OpsCallRow Row(long changedAt)
    {
        int[] latencies;
        OpsToolCall? lastTool;
        string? endReason;
        long? endedAt;
        int turns;
        lock (_gate)
        {
            turns = _turns;
            var count = Math.Min(turns, RowLatencies);
            latencies = new int[count];
            for (var i = 0; i < count; i++)
            {
                latencies[i] = _recentLatencies[(turns - count + i) % RowLatencies];
            }

            lastTool = _lastTool;
            endReason = _endReason;
            endedAt = _endedAt;
        }

        return new OpsCallRow
        {
            Id = Id!,
            Instance = _feed.Instance.Id,
            Transport = Transport,
            Caller = _caller,
            StartedAt = _startedAtMs,
            State = endedAt is null ? _call.State : "ended",
            Speaking = endedAt is null ? Speaking() : null,
            Provider = _feed.Instance.Provider,
            Model = _model,
            Turns = turns,
            Latencies = latencies,
            BargeIns = Volatile.Read(ref _bargeIns),
            ToolCalls = Volatile.Read(ref _toolCalls),
            ToolsRunning = Math.Max(0, Volatile.Read(ref _toolsRunning)),
            LastTool = lastTool,
            Drops = Interlocked.Read(ref _drops),
            Reconnects = Volatile.Read(ref _reconnects),
            Errors = Volatile.Read(ref _errors),
            EndedAt = endedAt,
            EndReason = endReason,
            ChangedAt = changedAt,
        };
    }

    /// <summary>What changed in the transcript and timeline since the last update taken (flush thread only); null when nothing.</summary>
    internal OpsCallDetail? TakeDetail(long nowMs)
    {
        var version = Volatile.Read(ref _detailVersion);
        if (version == _sentDetailVersion)
        {
            return null;
        }

        _sentDetailVersion = version;
        var turns = new List<OpsTurnView>();
        foreach (var turn in _transcript.Turns())
        {
            if (!_sentTurns.TryGetValue(turn.ItemId, out var sent) || sent.Text != turn.Text || sent.HeardMs != turn.HeardMs)
            {
                _sentTurns[turn.ItemId] = (turn.Text, turn.HeardMs);
                turns.Add(View(turn));
            }
        }

        List<OpsTimelineEntry> timeline;
        lock (_gate)
        {
            timeline = _timeline.Where(entry => entry.Seq > _timelineSent).ToList();
            _timelineSent = _timelineSeq;
        }

        return turns.Count == 0 && timeline.Count == 0 ? null : new OpsCallDetail { Id = Id!, Instance = _feed.Instance.Id, At = nowMs, Keyframe = false, Turns = turns, Timeline = timeline };
    }

    /// <summary>Everything a viewer who opens the call needs (the most recent turns and events); changes nothing.</summary>
    internal OpsCallDetail Snapshot(long nowMs)
    {
        var heard = _transcript.Turns();
        var turns = heard.Skip(Math.Max(0, heard.Count - SnapshotTurns)).Select(View).ToList();
        List<OpsTimelineEntry> timeline;
        lock (_gate)
        {
            timeline = _timeline.Skip(Math.Max(0, _timeline.Count - SnapshotTimeline)).ToList();
        }

        return new OpsCallDetail { Id = Id!, Instance = _feed.Instance.Id, At = nowMs, Keyframe = true, Turns = turns, Timeline = timeline };
    }

    private static OpsTurnView View(HeardTurn turn) => new(turn.ItemId, turn.Role, turn.Text, turn.HeardMs);

    private bool Playing() =>
        _phone ? Interlocked.Read(ref _lastMarkSent) > Interlocked.Read(ref _lastMarkDone) : _assistantStreaming;

    private string? Speaking() => _callerSpeaking ? "caller" : Playing() ? "assistant" : null;

    // A change to the row (and, with detail, to the transcript or timeline): the call is queued once until flushed.
    private void Changed(bool detail = false)
    {
        Interlocked.Increment(ref _version);
        if (detail)
        {
            Interlocked.Increment(ref _detailVersion);
        }

        if (Volatile.Read(ref _id) is not null && Interlocked.Exchange(ref _queued, 1) == 0)
        {
            Volatile.Write(ref _changedAt, _time.GetUtcNow().ToUnixTimeMilliseconds());
            _feed.Enqueue(this);
        }
    }

    private void Add(string kind, string text, int? ms = null, string? outcome = null)
    {
        var at = _startedTimestamp == 0 ? 0 : (int)_time.GetElapsedTime(_startedTimestamp).TotalMilliseconds;
        lock (_gate)
        {
            _timeline.Add(new OpsTimelineEntry(++_timelineSeq, at, kind, text, ms, outcome));
            if (_timeline.Count > MaxTimeline)
            {
                _timeline.RemoveRange(0, _timeline.Count - MaxTimeline);
            }
        }
    }

    // The error's code, never its message (which may quote the caller's input). Errors are rare: parsing one is fine.
    private static string ErrorCode(ReadOnlySpan<byte> json) =>
        RealtimeEventSerializer.TryParse(json, out var parsed) && parsed is ErrorEvent { Error.Code: { } code } ? code : "unknown";

    private static string Capitalised(string word) => word.Length == 0 ? word : char.ToUpperInvariant(word[0]) + word[1..];
}
