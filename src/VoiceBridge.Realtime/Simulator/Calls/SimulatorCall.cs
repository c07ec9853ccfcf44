using System.Buffers;
using System.Globalization;
using System.Text.Json.Nodes;
using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Realtime.Simulator.Calls;

/// <summary>
/// One simulated direct call: a <see cref="SimulatorEngine"/> session whose audio goes to and comes from the caller's
/// media (<see cref="ISimulatorMedia"/>: PCM, not base64 events), whose events go to the data channel and to any number
/// of sidebands, and whose playback the call itself models, as the API's server does for WebRTC and SIP
/// (docs/protocols/openai-realtime.md#webrtc-sip-and-sidebands): <c>output_audio_buffer.started</c> when a response's
/// audio starts playing, <c>.stopped</c> when what was sent has played out (at play speed from the first chunk),
/// <c>.cleared</c> and an automatic truncation at what was heard when the caller speaks over it or a client clears it.
/// Sidebands get neither <c>session.created</c> nor audio deltas, as reported for the API. One loop reads the engine;
/// what it hands on is queued, never awaited, so a slow sideband cannot hold up the call.
/// </summary>
#pragma warning disable CA1001 // _stop only cancels (no timer): End cancels it, nothing needs disposing.
public sealed class SimulatorCall
#pragma warning restore CA1001
{
    private const int PortCapacity = 4096;

    private readonly SimulatorOptions _options;
    private readonly TimeProvider _time;
    private readonly Action<SimulatorCall> _onEnded;
    private readonly Lock _gate = new();
    private readonly List<SimulatorCallPort> _sidebands = [];
    private readonly TaskCompletionSource<string> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly ITimer _playoutTimer;
    private readonly Utf8IdCache _ids = new();
    private SimulatorEngine? _engine;
    private ISimulatorMedia? _media;
    private long _eventCounter;
    private long _audioIn;
    private long _audioOut;
    private int _sidebandsOpened;

    // Playback, under _gate: the response playing, its item, when it started, and when what was sent ends.
    private string? _playingResponse;
    private string? _playingItem;
    private long _playStart;
    private long _playEnd;
    private double _itemSentMs;
    private bool _audioComplete;

    internal SimulatorCall(string id, SimulatorCallKind kind, IReadOnlyList<KeyValuePair<string, string>> sipHeaders, SimulatorOptions options, TimeProvider time, Action<SimulatorCall> onEnded)
    {
        Id = id;
        Kind = kind;
        SipHeaders = sipHeaders;
        _options = options;
        _time = time;
        _onEnded = onEnded;
        _playoutTimer = time.CreateTimer(static state => ((SimulatorCall)state!).OnPlayoutTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Every server event the call hands on (to the data channel, the sidebands), by type, from the call's loop: quick handlers only.</summary>
    public event Action<SimulatorCall, RealtimeEventType>? ServerEvent;

    /// <summary>The call's id (<c>rtc_…</c>): the last segment of the <c>Location</c> and the sideband's <c>call_id</c>.</summary>
    public string Id { get; }

    public SimulatorCallKind Kind { get; }

    /// <summary>A SIP call's headers as the webhook announced them (<c>From</c>, <c>To</c>, …); empty for WebRTC.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> SipHeaders { get; }

    public SimulatorCallState State { get; private set; }

    /// <summary>Completes with the reason when the call is over.</summary>
    public Task<string> Ended => _ended.Task;

    /// <summary>Sidebands opened to this call so far.</summary>
    public int SidebandsOpened => Volatile.Read(ref _sidebandsOpened);

    /// <summary>Sidebands open now.</summary>
    public int SidebandsOpen
    {
        get
        {
            lock (_gate)
            {
                return _sidebands.Count;
            }
        }
    }

    /// <summary>Caller audio received from the media (PCM bytes).</summary>
    public long AudioInBytes => Interlocked.Read(ref _audioIn);

    /// <summary>Model audio handed to the media (PCM bytes).</summary>
    public long AudioOutBytes => Interlocked.Read(ref _audioOut);

    /// <summary>The session JSON the call was created or accepted with (what the model was told).</summary>
    public string? Session { get; private set; }

    /// <summary>Whether the model is playing a response to the caller right now.</summary>
    public bool IsPlaying
    {
        get
        {
            lock (_gate)
            {
                return _playingResponse is not null;
            }
        }
    }

    /// <summary>
    /// Checks a session JSON the way the API does for <c>/calls</c> and <c>/accept</c>: an object with
    /// <c>type: "realtime"</c>. Returns the problem, or null.
    /// </summary>
    public static string? CheckSession(string? sessionJson)
    {
        if (sessionJson is null)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(sessionJson) is JsonObject session && session["type"] is JsonValue type && type.TryGetValue<string>(out var name)
                ? name == "realtime" ? null : $"Invalid value: '{name}'. Supported values are: 'realtime'."
                : "Missing required parameter: 'session.type'.";
        }
        catch (System.Text.Json.JsonException)
        {
            return "The session is not valid JSON.";
        }
    }

    /// <summary>Plugs the caller's media in (one at a time; the latest wins). Audio before the call is live is dropped.</summary>
    public void AttachMedia(ISimulatorMedia media)
    {
        bool ended;
        lock (_gate)
        {
            ended = State == SimulatorCallState.Ended;
            if (!ended)
            {
                _media = media;
            }
        }

        if (ended)
        {
            media.OnEnded(_ended.Task.Result);
        }
    }

    /// <summary>Unplugs <paramref name="media"/> if it is the call's.</summary>
    public void DetachMedia(ISimulatorMedia media)
    {
        lock (_gate)
        {
            if (ReferenceEquals(_media, media))
            {
                _media = null;
            }
        }
    }

    /// <summary>The caller's voice (PCM16 24 kHz mono) into the model's input buffer.</summary>
    public ValueTask<bool> SubmitAudioAsync(ReadOnlySpan<byte> pcm, CancellationToken cancellationToken)
    {
        if (State != SimulatorCallState.Live || _engine is not { } engine)
        {
            return ValueTask.FromResult(false);
        }

        Interlocked.Add(ref _audioIn, pcm.Length);
        return engine.SubmitAsync(RealtimeAudioFrames.WriteInputAudioBufferAppend(pcm), cancellationToken);
    }

    /// <summary>A client event from the data channel or a sideband (ownership moves); <c>output_audio_buffer.clear</c> is the call's.</summary>
    public async ValueTask<bool> SubmitClientEventAsync(RealtimeMessage message, CancellationToken cancellationToken)
    {
        if (State != SimulatorCallState.Live || _engine is not { } engine)
        {
            message.Dispose();
            return false;
        }

        if (RealtimeEventPeek.TryPeek(message.Span, out var type) && type == RealtimeEventType.OutputAudioBufferClear)
        {
            message.Dispose();
            await ClearPlaybackAsync(engine, cancellationToken).ConfigureAwait(false);
            return true;
        }

        return await engine.SubmitAsync(message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends the call (hang-up, rejection, the caller gone); the first reason wins.</summary>
    public void End(string reason)
    {
        SimulatorCallPort[] ports;
        ISimulatorMedia? media;
        lock (_gate)
        {
            if (State == SimulatorCallState.Ended)
            {
                return;
            }

            State = SimulatorCallState.Ended;
            ports = [.. _sidebands];
            _sidebands.Clear();
            media = _media;
            _media = null;
        }

        _stop.Cancel();
        _playoutTimer.Dispose();
        foreach (var port in ports)
        {
            port.Complete(reason);
        }

        media?.OnEnded(reason);
        _ended.TrySetResult(reason);
        _onEnded(this);
        if (_engine is { } engine)
        {
            _ = engine.DisposeAsync().AsTask();
        }
    }

    /// <summary>
    /// Drops the call's open sidebands as a lost connection would; the call goes on and a sideband may attach again
    /// (how a bridge's re-attach is tested). Returns how many were open.
    /// </summary>
    public int DropSidebands(string reason)
    {
        SimulatorCallPort[] ports;
        lock (_gate)
        {
            ports = [.. _sidebands];
            _sidebands.Clear();
        }

        foreach (var port in ports)
        {
            port.Drop(reason);
        }

        return ports.Length;
    }

    /// <summary>Starts the model's session with <paramref name="sessionJson"/> (checked by <see cref="CheckSession"/>).</summary>
    internal async ValueTask StartAsync(string? sessionJson)
    {
        var engine = SimulatorEngine.Start(_options, _time);
        lock (_gate)
        {
            if (State == SimulatorCallState.Ended)
            {
                _ = engine.DisposeAsync().AsTask();
                return;
            }

            _engine = engine;
            Session = sessionJson;
            State = SimulatorCallState.Live;
        }

        _ = Task.Run(() => PumpAsync(engine));
        if (UpdateFrom(sessionJson) is { } update)
        {
            await engine.SubmitAsync(update, _stop.Token).ConfigureAwait(false);
        }
    }

    /// <summary>A sideband to this call, or null when it is not live (the API answers 404).</summary>
    internal SimulatorCallPort? OpenSideband()
    {
        lock (_gate)
        {
            if (State != SimulatorCallState.Live)
            {
                return null;
            }

            var port = new SimulatorCallPort(this, PortCapacity);
            _sidebands.Add(port);
            Interlocked.Increment(ref _sidebandsOpened);
            return port;
        }
    }

    internal void Remove(SimulatorCallPort port)
    {
        lock (_gate)
        {
            _sidebands.Remove(port);
        }
    }

    // The session the call was created with becomes the engine's session.update. The model is fixed at creation and the
    // media is the simulator's own PCM, so neither the model nor the audio formats are applied.
    private static RealtimeMessage? UpdateFrom(string? sessionJson)
    {
        if (sessionJson is null || JsonNode.Parse(sessionJson) is not JsonObject session)
        {
            return null;
        }

        session.Remove("model");
        if (session["audio"] is JsonObject audio)
        {
            (audio["input"] as JsonObject)?.Remove("format");
            (audio["output"] as JsonObject)?.Remove("format");
        }

        var update = new JsonObject { ["type"] = RealtimeEventTypes.SessionUpdate, ["session"] = session.DeepClone() };
        var bytes = System.Text.Encoding.UTF8.GetBytes(update.ToJsonString());
        return RealtimeMessage.Copy(bytes, RealtimeMessageKind.Control);
    }

    private async Task PumpAsync(SimulatorEngine engine)
    {
        byte[]? decoded = null;
        try
        {
            while (true)
            {
                var result = await engine.ReceiveAsync(_stop.Token).ConfigureAwait(false);
                if (result.IsEnd)
                {
                    End("the model's session ended: " + result.End!.Description);
                    return;
                }

                using var message = result.Message;
                var json = message.Span;
                if (!RealtimeEventPeek.TryPeek(json, out var type))
                {
                    continue;
                }

                if (type == RealtimeEventType.ResponseOutputAudioDelta)
                {
                    var needed = RealtimeAudioFrames.GetMaxDecodedAudioLength(json.Length);
                    if (decoded is null || decoded.Length < needed)
                    {
                        if (decoded is not null)
                        {
                            ArrayPool<byte>.Shared.Return(decoded);
                        }

                        decoded = ArrayPool<byte>.Shared.Rent(needed);
                    }

                    if (RealtimeAudioFrames.TryReadOutputAudioDelta(json, decoded, out var delta))
                    {
                        Play(_ids.Get(json[delta.ResponseId]), _ids.Get(json[delta.ItemId]), decoded.AsSpan(0, delta.AudioLength));
                    }

                    continue;
                }

                (string ItemId, int AudioEndMs)? truncate = null;
                lock (_gate)
                {
                    Broadcast(json, toSidebands: type != RealtimeEventType.SessionCreated);
                    if (type == RealtimeEventType.InputAudioBufferSpeechStarted && _playingResponse is not null)
                    {
                        // The server owns playback on WebRTC and SIP: it stops and truncates at what was heard itself.
                        truncate = ClearLocked();
                    }
                    else if (type is RealtimeEventType.ResponseOutputAudioDone or RealtimeEventType.ResponseDone && _playingResponse is not null
                        && ResponseIdOf(json) == _playingResponse)
                    {
                        _audioComplete = true;
                        ArmPlayoutLocked();
                    }
                }

                if (truncate is { } cut)
                {
                    await engine.SubmitAsync(Truncate(cut.ItemId, cut.AudioEndMs), _stop.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            if (decoded is not null)
            {
                ArrayPool<byte>.Shared.Return(decoded);
            }
        }
    }

    private void Play(string responseId, string itemId, ReadOnlySpan<byte> pcm)
    {
        ISimulatorMedia? media;
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            if (_playingResponse != responseId)
            {
                _playingResponse = responseId;
                _playingItem = itemId;
                _playStart = now;
                _playEnd = now;
                _itemSentMs = 0;
                _audioComplete = false;
                Broadcast(Serialize(new OutputAudioBufferStartedEvent { EventId = NextEventId(), ResponseId = responseId }), toSidebands: true);
            }

            var ms = pcm.Length / (SimulatorAudioFormat.Pcm24k.BytesPerMs() * 1.0);
            _itemSentMs += ms;
            _playEnd = Math.Max(_playEnd, now) + (long)(ms / 1000 * _time.TimestampFrequency);
            media = _media;
        }

        Interlocked.Add(ref _audioOut, pcm.Length);
        media?.OnAudio(pcm);
    }

    private async ValueTask ClearPlaybackAsync(SimulatorEngine engine, CancellationToken cancellationToken)
    {
        (string ItemId, int AudioEndMs)? truncate;
        lock (_gate)
        {
            truncate = _playingResponse is null ? null : ClearLocked();
        }

        if (truncate is { } cut)
        {
            await engine.SubmitAsync(Truncate(cut.ItemId, cut.AudioEndMs), cancellationToken).ConfigureAwait(false);
        }
    }

    // Under _gate: stops playback where it is; returns the item and what of it was heard (at play speed since it started).
    private (string ItemId, int AudioEndMs)? ClearLocked()
    {
        var heard = Math.Min(_time.GetElapsedTime(_playStart).TotalMilliseconds, _itemSentMs);
        var item = _playingItem;
        Broadcast(Serialize(new OutputAudioBufferClearedEvent { EventId = NextEventId(), ResponseId = _playingResponse }), toSidebands: true);
        _media?.OnClear();
        _playingResponse = null;
        _playingItem = null;
        _playoutTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        return item is null ? null : (item, (int)Math.Floor(heard));
    }

    // Under _gate: output_audio_buffer.stopped is due when what was sent has played.
    private void ArmPlayoutLocked()
    {
        var remaining = TimeSpan.FromSeconds(Math.Max(0, _playEnd - _time.GetTimestamp()) / (double)_time.TimestampFrequency);
        _playoutTimer.Change(remaining, Timeout.InfiniteTimeSpan);
    }

    private void OnPlayoutTimer()
    {
        lock (_gate)
        {
            if (State != SimulatorCallState.Live || _playingResponse is null || !_audioComplete)
            {
                return;
            }

            if (_time.GetTimestamp() < _playEnd)
            {
                ArmPlayoutLocked();
                return;
            }

            Broadcast(Serialize(new OutputAudioBufferStoppedEvent { EventId = NextEventId(), ResponseId = _playingResponse }), toSidebands: true);
            _playingResponse = null;
            _playingItem = null;
        }
    }

    // Under _gate: a server event to the data channel (WebRTC) and the sidebands. Queued, never awaited: a sideband that
    // does not read is closed rather than allowed to stall the call.
    private void Broadcast(ReadOnlySpan<byte> json, bool toSidebands)
    {
        if (Kind == SimulatorCallKind.WebRtc)
        {
            _media?.OnEvent(json);
        }

        if (toSidebands)
        {
            for (var i = _sidebands.Count - 1; i >= 0; i--)
            {
                if (!_sidebands[i].TryPost(json))
                {
                    _sidebands[i].Complete("sideband not reading");
                    _sidebands.RemoveAt(i);
                }
            }
        }

        // Observed once handed on: whoever awaits the event finds it already at the data channel and in the sidebands'
        // queues (observing first let a test read the caller's events before this one was among them).
        if (ServerEvent is { } observe && RealtimeEventPeek.TryPeek(json, out var type))
        {
            observe(this, type);
        }
    }

    private static string? ResponseIdOf(ReadOnlySpan<byte> json) =>
        RealtimeEventSerializer.TryParse(json, out var parsed) ? parsed switch
        {
            ResponseOutputAudioDoneEvent done => done.ResponseId,
            ResponseDoneEvent done => done.Response?.Id,
            _ => null,
        } : null;

    private static RealtimeMessage Truncate(string itemId, int audioEndMs) =>
        RealtimeEventSerializer.ToMessage(new ConversationItemTruncateEvent { ItemId = itemId, ContentIndex = 0, AudioEndMs = audioEndMs });

    private static byte[] Serialize(RealtimeEvent value) => RealtimeEventSerializer.ToUtf8Bytes(value);

    private string NextEventId() => "event_call" + Interlocked.Increment(ref _eventCounter).ToString("D4", CultureInfo.InvariantCulture);
}
