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
/// Per-frame hooks record into counters with tag lists built once per call: nothing is allocated per frame.
/// </summary>
internal sealed partial class CallTelemetry : IDisposable
{
    private readonly VoiceBridgeMetrics? _metrics;
    private readonly CallTelemetryContext? _context;
    private readonly Activity? _call;
    private readonly string _transport;

    // The call, for reporting each turn's first-audio latency to its other observers (the operations feed); null when detached.
    private readonly ILiveCall? _live;

    // A browser leg relays each upstream audio delta as one client message: the delta is the frame on both legs.
    // A phone leg re-frames audio into 20 ms media messages and reports those itself (OnCallerFrameSent).
    private readonly bool _deltaIsCallerFrame;
    private readonly Lock _lock = new();
    private readonly TagList _transportTags;
    private readonly TagList _callerIn;
    private readonly TagList _callerOut;
    private readonly TagList _upstreamIn;
    private readonly TagList _upstreamOut;
    private readonly TagList _hopInbound;
    private readonly TagList _hopOutbound;

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
        _metrics = metrics;
        _context = context;
        _transportTags = new TagList { { "voicebridge.transport", transport } };
        _callerIn = Leg(transport, "caller", "in");
        _callerOut = Leg(transport, "caller", "out");
        _upstreamIn = Leg(transport, "upstream", "in");
        _upstreamOut = Leg(transport, "upstream", "out");
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
    }

    /// <summary>A call that records nothing (sessions built outside the host, e.g. component tests).</summary>
    public static CallTelemetry Detached(string transport) => new(transport, null, null);

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

    /// <summary>Caller audio forwarded upstream. <paramref name="receivedTimestamp"/>: <see cref="Stopwatch.GetTimestamp"/> when the frame arrived.</summary>
    public void OnInboundAudio(int callerBytes, long receivedTimestamp)
    {
        if (_metrics is not { } metrics)
        {
            return;
        }

        metrics.Frames.Add(1, _callerIn);
        metrics.Bytes.Add(callerBytes, _callerIn);
        metrics.Frames.Add(1, _upstreamOut);
        metrics.Bytes.Add((long)(callerBytes * _inboundBytesRatio), _upstreamOut);
        metrics.HopLatency.Record(Stopwatch.GetElapsedTime(receivedTimestamp).TotalSeconds, _hopInbound);
    }

    /// <summary>An upstream audio delta handed to the caller's send queue (0 for <paramref name="receivedTimestamp"/>: not timed).</summary>
    public void OnOutboundAudio(int upstreamBytes, long receivedTimestamp)
    {
        if (_metrics is not { } metrics)
        {
            return;
        }

        metrics.Frames.Add(1, _upstreamIn);
        metrics.Bytes.Add(upstreamBytes, _upstreamIn);
        if (receivedTimestamp != 0)
        {
            metrics.HopLatency.Record(Stopwatch.GetElapsedTime(receivedTimestamp).TotalSeconds, _hopOutbound);
        }
    }

    /// <summary>One assistant audio frame queued to the caller; the first of a turn sets its first-audio latency.</summary>
    public void OnCallerFrameSent(int bytes)
    {
        _metrics?.Frames.Add(1, _callerOut);
        _metrics?.Bytes.Add(bytes, _callerOut);
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
        }
    }

    /// <summary>An input dropped or discarded (<see cref="CallCounters"/> forwards every count here).</summary>
    public void OnDrop(CallDrop drop)
    {
        if (drop == CallDrop.BargeIn)
        {
            return;
        }

        _metrics?.Dropped.Add(1, new TagList { { "voicebridge.transport", _transport }, { "voicebridge.reason", drop.Name() } });
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

    public void Dispose()
    {
        if (Volatile.Read(ref _ended) == 0)
        {
            End(CallEndReason.ServerShutdown);
        }
    }

    private static TagList Leg(string transport, string leg, string direction) => new()
    {
        { "voicebridge.transport", transport },
        { "voicebridge.leg", leg },
        { "voicebridge.direction", direction },
    };
}
