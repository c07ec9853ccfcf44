using System.Diagnostics;
using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Realtime.Transport;
using VoiceBridge.Server.Core;

namespace VoiceBridge.Server.Telemetry;

/// <summary>
/// The spans and metrics of one call. A session calls its one-line hooks; this class keeps the turn state that the
/// latencies need. The call span is started by <see cref="CallTelemetryFactory.Start"/> in the endpoint and stays
/// <see cref="Activity.Current"/> for everything the session runs (its loops, tool calls, their HttpClient requests),
/// so trace context propagates without any session code. Child spans started from the loops are created under the
/// call span explicitly and never left current, because a turn starts in one event and ends in another.
/// Per-frame hooks only add to plain fields of this object, on the task that has the frame; the metrics sum them when
/// an exporter collects (<see cref="VoiceBridgeMetrics"/>). Nothing is allocated per frame and no instrument is called
/// per frame except the hop-latency histogram (see <see cref="OnInboundAudio"/>).
/// </summary>
internal sealed partial class CallTelemetry : IDisposable
{
    /// <summary>The <c>voicebridge.reason</c> tag of each <see cref="CallDrop"/>, by value (the call vocabulary's names).</summary>
    internal static readonly string[] DropNames = [.. Enum.GetValues<CallDrop>().Select(drop => drop.Name())];

    private readonly VoiceBridgeMetrics? _metrics;
    private readonly CallTelemetryContext? _context;
    private readonly Activity? _call;
    private readonly string _transport;

    // The call, for reporting each turn's first-audio latency to its other observers (the operations feed); null when detached.
    private readonly ILiveCall? _live;

    // A browser leg relays each upstream audio delta as one client message: the delta is the frame on both legs.
    // A phone leg re-frames audio into 20 ms media messages and reports those itself (OnCallerFrameSent).
    private readonly bool _deltaIsCallerFrame;

    // A direct call's audio never crosses the bridge: its first audio is the sideband's output_audio_buffer.started.
    private readonly bool _direct;
    private readonly Lock _lock = new();
    private readonly TagList _transportTags;
    private readonly TagList _hopInbound;
    private readonly TagList _hopOutbound;

    // Per-frame counts. Each group has one writer, the task that carries that direction, so a plain add is exact; the
    // exporter reads them from another thread (a 64-bit field is read whole). Drops come from any task: Interlocked.
    private long _callerInFrames;
    private long _callerInBytes;
    private long _upstreamOutFrames;
    private long _upstreamOutBytes;
    private long _upstreamInFrames;
    private long _upstreamInBytes;
    private long _callerOutFrames;
    private long _callerOutBytes;
    private readonly long[] _drops = new long[DropNames.Length];
    private int _untracked;

    private string _callId = "(before start)";
    private double _inboundBytesRatio = 1;
    private bool _started;
    private int _ended;

    // Turn state, under _lock. A turn runs from speech_stopped to the response.done after its first audio.
    private Activity? _turn;
    private int _turnNumber;
    private long _speechStoppedAt;
    private bool _responseSinceSpeechStopped;
    private long _firstAudioAt;
    private long _firstMarkOfTurn = -1;
    private bool _turnResponseDone;
    private bool _heard;
    private bool _responseActive;
    private long _lastMarkSent = -1;
    private long _lastMarkEchoed = -1;
    private long _turnInputTokens;
    private long _turnOutputTokens;

    // Read without the lock on the per-frame path: 1 while a turn waits for its first audio frame.
    private volatile int _awaitingFirstAudio;

    internal CallTelemetry(string transport, VoiceBridgeMetrics? metrics, CallTelemetryContext? context, ILiveCall? live = null)
    {
        _live = live;
        _transport = transport;
        _deltaIsCallerFrame = transport == "browser";
        _direct = transport is "webrtc" or "sip";
        _metrics = metrics;
        _context = context;
        _transportTags = new TagList { { "voicebridge.transport", transport } };
        _hopInbound = new TagList { { "voicebridge.transport", transport }, { "voicebridge.direction", "inbound" } };
        _hopOutbound = new TagList { { "voicebridge.transport", transport }, { "voicebridge.direction", "outbound" } };
        if (context is not null)
        {
            _call = VoiceBridgeActivity.Source.StartActivity(VoiceBridgeActivity.Call, ActivityKind.Internal);
            if (_call is { IsAllDataRequested: true })
            {
                _call.SetTag("voicebridge.transport", transport);
                _call.SetTag("voicebridge.upstream.provider", context.Provider);
                _call.SetTag("gen_ai.request.model", context.Model);
            }
        }

        metrics?.Track(this);
    }

    /// <summary>A call that records nothing (sessions built outside the host, e.g. component tests).</summary>
    public static CallTelemetry Detached(string transport) => new(transport, null, null);

    /// <summary><c>twilio</c> or <c>browser</c>: the <c>voicebridge.transport</c> tag.</summary>
    public string Transport => _transport;

    /// <summary>The call's span, when something listens.</summary>
    public Activity? Activity => _call;

    /// <summary>
    /// Starts a span for one tool call under this call's span and makes it current, so HttpClient requests the tool
    /// makes are its children and carry the call's trace context (W3C traceparent). Dispose it when the tool is done;
    /// mark failures with <see cref="System.Diagnostics.Activity.SetStatus"/>. Arguments and results are content: never
    /// put them on the span. Returns null when nothing listens (the using statement handles that).
    /// </summary>
    public Activity? StartToolCall(string name, string? toolCallId = null)
    {
        var tool = VoiceBridgeActivity.Source.StartActivity(VoiceBridgeActivity.ToolPrefix + name, ActivityKind.Internal, _call?.Context ?? default);
        if (tool is { IsAllDataRequested: true })
        {
            tool.SetTag("gen_ai.operation.name", "execute_tool");
            tool.SetTag("gen_ai.tool.name", name);
            tool.SetTag("gen_ai.tool.call.id", toolCallId);
            tool.SetTag("voicebridge.call.id", _callId);
        }

        return tool;
    }

    /// <summary>The call was accepted: identifiers and audio format are known; counts it as started.</summary>
    /// <param name="callId">CallSid for a phone call, the session id for a browser.</param>
    /// <param name="streamSid">Twilio's StreamSid, null for browsers.</param>
    /// <param name="audioFormat">The upstream audio format (pcm24k, pcmu).</param>
    /// <param name="inboundBytesRatio">Upstream audio bytes per caller audio byte (6 for μ-law 8 kHz → PCM16 24 kHz).</param>
    public void OnStarted(string callId, string? streamSid, string audioFormat, double inboundBytesRatio)
    {
        _callId = callId;
        _inboundBytesRatio = inboundBytesRatio;
        if (_call is { IsAllDataRequested: true })
        {
            if (streamSid is null)
            {
                _call.SetTag("voicebridge.session.id", callId);
            }
            else
            {
                _call.SetTag("twilio.call_sid", callId);
                _call.SetTag("twilio.stream_sid", streamSid);
            }

            _call.SetTag("voicebridge.audio_format", audioFormat);
        }

        _started = true;
        _metrics?.CallsStarted.Add(1, _transportTags);
        _metrics?.ActiveCalls.Add(1, _transportTags);
    }

    /// <summary>Opens the upstream under an <c>upstream.connect</c> span, timing it and feeding readiness.</summary>
    public async ValueTask<RealtimeConnectResult> ConnectAsync(IRealtimeConnector connector, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var span = VoiceBridgeActivity.Source.StartActivity(VoiceBridgeActivity.UpstreamConnect, ActivityKind.Client);
        var provider = _context?.Provider ?? "unknown";
        span?.SetTag("voicebridge.upstream.provider", provider);
        try
        {
            var result = await connector.ConnectAsync(cancellationToken);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
            if (result.IsConnected)
            {
                _context?.Health.RecordSuccess();
                _metrics?.ConnectDuration.Record(elapsed, new TagList { { "voicebridge.upstream.provider", provider }, { "voicebridge.outcome", "connected" } });
                return result;
            }

            var reason = result.Failure!.Reason.ToString();
            _context?.Health.RecordFailure(reason);
            _metrics?.ConnectDuration.Record(elapsed, new TagList { { "voicebridge.upstream.provider", provider }, { "voicebridge.outcome", "failed" } });
            _metrics?.ConnectErrors.Add(1, new TagList { { "voicebridge.upstream.provider", provider }, { "error.type", reason } });
            span?.SetStatus(ActivityStatusCode.Error, reason);
            span?.SetTag("error.type", reason);
            span?.SetTag("http.response.status_code", result.Failure.HttpStatus);
            return result;
        }
        catch (OperationCanceledException)
        {
            span?.SetTag("error.type", "cancelled");
            throw;
        }
    }

    /// <summary>
    /// Caller audio forwarded upstream. <paramref name="receivedTimestamp"/>: <see cref="Stopwatch.GetTimestamp"/> when
    /// the frame arrived. Called from the one task that carries caller audio upstream (the counts are plain adds).
    /// </summary>
    /// <remarks>
    /// The hop is recorded for every frame, not sampled. Measured (<c>PerFrameCostTests</c>, Release, shared 2-core
    /// machine): with the OpenTelemetry SDK exporting, the two records of a frame pair cost 0.9–1.3 µs, most of what the
    /// per-frame hooks still cost, i.e. about 3 ms of CPU per call-minute; with no exporter configured the SDK leaves
    /// the instrument disabled and each record is a flag check. That is small next to the audit's formatting of the same
    /// frames (about 12 µs per pair), and a record per frame keeps the histogram's count equal to the frames (the
    /// end-to-end telemetry test checks it) and its tail populated at low call counts.
    /// </remarks>
    public void OnInboundAudio(int callerBytes, long receivedTimestamp)
    {
        if (_metrics is not { } metrics)
        {
            return;
        }

        _callerInFrames++;
        _callerInBytes += callerBytes;
        _upstreamOutFrames++;
        _upstreamOutBytes += (long)(callerBytes * _inboundBytesRatio);
        if (metrics.HopLatency.Enabled)
        {
            metrics.HopLatency.Record(Stopwatch.GetElapsedTime(receivedTimestamp).TotalSeconds, _hopInbound);
        }
    }

    /// <summary>
    /// An upstream audio delta handed to the caller's send queue (0 for <paramref name="receivedTimestamp"/>: not
    /// timed). Called from the one task that carries upstream audio to the caller, like <see cref="OnCallerFrameSent"/>.
    /// </summary>
    public void OnOutboundAudio(int upstreamBytes, long receivedTimestamp)
    {
        if (_metrics is not { } metrics)
        {
            return;
        }

        _upstreamInFrames++;
        _upstreamInBytes += upstreamBytes;
        if (receivedTimestamp != 0 && metrics.HopLatency.Enabled)
        {
            metrics.HopLatency.Record(Stopwatch.GetElapsedTime(receivedTimestamp).TotalSeconds, _hopOutbound);
        }
    }

    /// <summary>
    /// One assistant audio frame queued to the caller; the first of a turn sets its first-audio latency. Called from
    /// the task that carries upstream audio to the caller (<see cref="OnOutboundAudio"/>'s).
    /// </summary>
    public void OnCallerFrameSent(int bytes)
    {
        _callerOutFrames++;
        _callerOutBytes += bytes;
        if (_awaitingFirstAudio != 0)
        {
            OnFirstAudio();
        }
    }

    /// <summary>A mark queued to Twilio after assistant audio.</summary>
    public void OnMarkSent(long mark)
    {
        lock (_lock)
        {
            _lastMarkSent = mark;
            if (_turn is not null && _firstAudioAt != 0 && _firstMarkOfTurn < 0)
            {
                _firstMarkOfTurn = mark;
            }
        }
    }

    /// <summary>Twilio echoed a mark: the audio before it was played (or cleared).</summary>
    public void OnMarkEchoed(long mark, MarkEchoKind kind)
    {
        if (kind == MarkEchoKind.Unknown)
        {
            return;
        }

        lock (_lock)
        {
            _lastMarkEchoed = Math.Max(_lastMarkEchoed, mark);
            if (kind != MarkEchoKind.Played || _turn is null || _heard || _firstMarkOfTurn < 0 || mark < _firstMarkOfTurn)
            {
                return;
            }

            _heard = true;
            var heard = Elapsed(_speechStoppedAt);
            _metrics?.HeardLatency.Record(heard.TotalSeconds, _transportTags);
            _turn.SetTag("voicebridge.turn.heard_ms", Math.Round(heard.TotalMilliseconds, 1));
            if (_turnResponseDone)
            {
                EndTurn(null);
            }
        }
    }

    /// <summary>Every upstream event, peeked: turns, barge-ins and token usage come from here. Audio deltas cost one compare.</summary>
    public void OnUpstreamEvent(RealtimeEventType type, ReadOnlySpan<byte> json)
    {
        switch (type)
        {
            case RealtimeEventType.ResponseOutputAudioDelta when _deltaIsCallerFrame:
                // Not decoded here: base64 is 4 bytes per 3, and the JSON around it is small next to ~100 ms of audio.
                var approximateBytes = json.Length * 3 / 4;
                // No hop: the delta is queued to the client as it came, there is nothing between the legs to time.
                OnOutboundAudio(approximateBytes, receivedTimestamp: 0);
                OnCallerFrameSent(approximateBytes);
                break;
            case RealtimeEventType.InputAudioBufferSpeechStopped:
                BeginTurn();
                break;
            case RealtimeEventType.InputAudioBufferSpeechStarted:
                OnSpeechStarted();
                break;
            case RealtimeEventType.ResponseCreated:
                lock (_lock)
                {
                    _responseActive = true;
                    _responseSinceSpeechStopped |= _turn is not null;
                }

                break;
            case RealtimeEventType.ResponseDone:
                OnResponseDone(json);
                break;
            case RealtimeEventType.OutputAudioBufferStarted when _direct && _awaitingFirstAudio != 0:
                OnFirstAudio();
                break;
        }
    }

    /// <summary>An input dropped or discarded (<see cref="CallCounters"/> forwards every count here); any task.</summary>
    public void OnDrop(CallDrop drop)
    {
        if (drop == CallDrop.BargeIn || _metrics is null)
        {
            return;
        }

        Interlocked.Increment(ref _drops[(int)drop]);
    }

    /// <summary>Adds this call's per-frame counts to <paramref name="totals"/> (the metrics' export, under their lock).</summary>
    internal void AddCountsTo(CallCounterTotals totals)
    {
        Add(totals, CallCounterTotals.CallerIn, ref _callerInFrames, ref _callerInBytes);
        Add(totals, CallCounterTotals.UpstreamOut, ref _upstreamOutFrames, ref _upstreamOutBytes);
        Add(totals, CallCounterTotals.UpstreamIn, ref _upstreamInFrames, ref _upstreamInBytes);
        Add(totals, CallCounterTotals.CallerOut, ref _callerOutFrames, ref _callerOutBytes);
        for (var reason = 0; reason < _drops.Length; reason++)
        {
            totals.Drops[reason] += Volatile.Read(ref _drops[reason]);
        }

        static void Add(CallCounterTotals totals, int leg, ref long frames, ref long bytes)
        {
            totals.Frames[leg] += Volatile.Read(ref frames);
            totals.Bytes[leg] += Volatile.Read(ref bytes);
        }
    }

    /// <summary>The call is over: closes any open turn, tags the end reason, counts it and ends the call span.</summary>
    public void End(CallEndReason reason)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return;
        }

        lock (_lock)
        {
            EndTurn("call ended");
        }

        var name = reason.Name();
        if (_started)
        {
            _metrics?.ActiveCalls.Add(-1, _transportTags);
            _metrics?.CallsEnded.Add(1, new TagList { { "voicebridge.transport", _transport }, { "voicebridge.end_reason", name } });
        }

        if (_call is not null)
        {
            _call.SetTag("voicebridge.end_reason", name);
            _call.SetTag("voicebridge.turns", _turnNumber);
            if (reason is CallEndReason.UpstreamConnectFailed or CallEndReason.UpstreamClosed or CallEndReason.CallerNotReading or CallEndReason.InternalError)
            {
                _call.SetStatus(ActivityStatusCode.Error, name);
            }

            _call.Stop();
        }
    }

    /// <summary>Ends the call if <see cref="End"/> was not called; its per-frame counts stop at what they are now.</summary>
    public void Dispose()
    {
        if (Volatile.Read(ref _ended) == 0)
        {
            End(CallEndReason.ServerShutdown);
        }

        // Not at End: the loops may still count a frame or two while the call winds down.
        if (Interlocked.Exchange(ref _untracked, 1) == 0)
        {
            _metrics?.Untrack(this);
        }
    }
}
