using System.Buffers;
using System.Diagnostics;
using System.Runtime.InteropServices;
using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Server.Core;

/// <summary>
/// One call, whatever its transport: the call core. It owns the lifecycle — accept, the upstream (with reconnect and
/// replay), the server policy and its settle, features (tools, idle handling, operator control), the upstream loop, drop
/// counting, one end reason and one close status, the observers (audit, telemetry, the heard transcript) — and plugs a
/// transport in as its <see cref="ICallerLeg"/>. Per frame the work happens once, on the task that has the data: the
/// caller loop (the leg's) parses, decodes and transcodes a caller frame and writes the upstream message on the same task
/// (<see cref="SendAudioUpstream"/>); the upstream loop (here) reads the upstream socket, decodes an audio delta once and
/// hands it to the leg, which writes to the caller on the same task. Queues exist only behind a write in flight.
/// Expected failures are <see cref="CallEndReason"/> values, never exceptions.
/// </summary>
internal sealed partial class CallSession : ILiveCall, ICallHandle, IDisposable
{
    private readonly ICallerLeg _leg;
    private readonly CallServices _services;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Utf8IdCache _responseIds = new();
    private readonly Utf8IdCache _itemIds = new();
    private readonly List<ICallFeature> _features = [];
    private CallObservers _observers = CallObservers.None;
    private IRealtimeConnection? _upstream;
    private RateWindow _refusedRate;
    private long _loggedDrops;
    private int _flooding;
    private int _ended;
    private int _settled;
    private CallEndReason _endReason;
    private string? _endDetail;

    public CallSession(ICallerLeg leg, CallServices services)
    {
        _leg = leg;
        _services = services;
        Transcript = new HeardTranscript(leg.UpstreamAudio == "pcmu" ? 8 : 48);
    }

    /// <summary>The call's id once the leg accepted it.</summary>
    public string? CallId { get; private set; }

    string ICallHandle.CallId => CallId ?? "(before start)";

    public string Transport => _leg.Transport;

    public string? Caller { get; private set; }

    public string State
    {
        get
        {
            if (CallId is null)
            {
                return "starting";
            }

            lock (_features)
            {
                foreach (var feature in _features)
                {
                    if (feature.State is { } state)
                    {
                        return state;
                    }
                }
            }

            return "live";
        }
    }

    public CallCounters Counters { get; } = new();

    /// <summary>The conversation as the caller heard it: what a new upstream session is re-seeded from.</summary>
    public HeardTranscript Transcript { get; }

    /// <summary>Everything that watches this call, as one.</summary>
    public ICallObserver Observers => _observers;

    /// <summary>The call's upstream (reconnects included); null until connected.</summary>
    public IRealtimeConnection Upstream => _upstream ?? throw new InvalidOperationException("The call has no upstream yet.");

    /// <summary>The call's leg (tests read its counters).</summary>
    public ICallerLeg Leg => _leg;

    /// <summary>Cancelled when the call is ending; sends to the upstream use it.</summary>
    public CancellationToken Ending => _stop.Token;

    /// <summary>Completes when the call was stopped from outside or by a loop (see <see cref="Stop"/>).</summary>
    public Task Stopped => _stopped.Task;

    /// <summary>True once an end reason was given (the call is ending).</summary>
    public bool HasEnded => Volatile.Read(ref _ended) == 1;

    /// <summary>The end reason, once given.</summary>
    public CallEndReason EndReason => _endReason;

    public TimeProvider Time => _services.Time;

    public ILogger Logger => _services.Logger;

    bool ICallHandle.IsPlaying => _leg.IsPlaying;

    /// <summary>The observers this call reports to (set by <see cref="CallSessions"/> before <see cref="RunAsync"/>).</summary>
    internal void Observe(CallObservers observers) => _observers = observers;

    public T? Feature<T>()
        where T : class, ICallFeature
    {
        lock (_features)
        {
            foreach (var feature in _features)
            {
                if (feature is T found)
                {
                    return found;
                }
            }
        }

        return null;
    }

    public void RecordControl(string action, string adminKeyId, string? detail) => _observers.OnControl(action, adminKeyId, detail);

    /// <summary>Runs the call to its end and returns why it ended.</summary>
    public async Task<CallEndReason> RunAsync(CancellationToken aborted)
    {
        // The request is aborted when the caller's connection drops; the shutdown drain stops calls by itself (Shutdown/).
        using var dropped = aborted.Register(static state => ((CallSession)state!).Stop(CallEndReason.CallerAborted, "caller connection dropped without a close"), this);
        Task? callerLoop = null;
        try
        {
            var start = await _leg.AcceptAsync(this);
            if (start is null)
            {
                return _endReason;
            }

            CallId = start.CallId;
            Caller = start.Caller;
            _observers.OnStarted(new CallStarted(start.CallId, Transport, start.StreamId, start.Caller, _leg.UpstreamAudio, start.InboundBytesRatio, start.Policy));
            LogCallStarted(Logger, start.CallId, Transport, start.StreamId ?? "-", _leg.UpstreamAudio);

            var connector = start.Connector ?? _services.Connector;
            var connect = await ConnectAsync(connector);
            if (!connect.IsConnected)
            {
                var failure = connect.Failure!;
                LogUpstreamConnectFailed(Logger, start.CallId, failure.Reason, failure.HttpStatus, failure.Description);
                Fail(CallEndReason.UpstreamConnectFailed, failure.Description, "The model is not reachable; try again later.");
                return _endReason;
            }

            _upstream = ReconnectingUpstream.Supervise(
                connect.Connection!, _services.Reconnect, connector, start.SessionUpdate, this, Time, Logger, start.CallId, start.Reattach);
            await _upstream.SendAsync(start.SessionUpdate(), _stop.Token);
            if (!await SettleAsync())
            {
                return _endReason;
            }

            await AttachFeaturesAsync();
            callerLoop = _leg.ReceiveAsync(this);
            var upstreamLoop = ReceiveFromUpstreamAsync(_stop.Token);
            await Task.WhenAny(callerLoop, upstreamLoop, _stopped.Task);
            await _stop.CancelAsync();
            await upstreamLoop;
            return _endReason;
        }
        catch (OperationCanceledException)
        {
            // Stop() or the host's shutdown while connecting; a reason given by Stop() wins (End keeps the first).
            End(CallEndReason.ServerShutdown, "aborted");
            return _endReason;
        }
#pragma warning disable CA1031 // A bug in a leg or feature ends this call with a reason; it must never fault the host's request.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogFailed(Logger, CallId ?? "(before start)", ex);
            Fail(CallEndReason.InternalError, "unexpected " + ex.GetType().Name, "The bridge failed to handle an event; the session is closed.");
            return _endReason;
        }
        finally
        {
            await FinishAsync(callerLoop);
        }
    }

    /// <summary>Ends the call from outside (operator hang-up, shutdown, an observer's budget) or from a loop; the first reason wins.</summary>
    public void Stop(CallEndReason reason, string detail)
    {
        if (reason == CallEndReason.AuditBudget && !HasEnded)
        {
            // The caller should know why its call ends, in its own protocol (it goes out before the close frame).
            _leg.OnEnding(reason, "This session made the bridge write more audit records than one session may; the session is closed.");
        }

        End(reason, detail);
        _stopped.TrySetResult();
    }

    /// <summary>Records the end reason (the first one given wins) without stopping the loops; loops that end call this.</summary>
    public void End(CallEndReason reason, string detail)
    {
        if (Interlocked.CompareExchange(ref _ended, 1, 0) == 0)
        {
            _endReason = reason;
            _endDetail = detail;
        }
    }

    /// <summary>Claims the call id against other live calls (one live call per CallSid); false for a replay.</summary>
    public bool TryClaim(string callId)
    {
        if (_services.Registry is not { } registry)
        {
            return true;
        }

        if (registry.TryClaim(this, callId))
        {
            return true;
        }

        registry.CountReplayRefused();
        return false;
    }

    /// <summary>
    /// Input, or audio, the call discarded: counted per reason, shown to the observers (the audit's summaries), logged once
    /// per reason per call.
    /// </summary>
    public void Drop(CallDrop drop, int bytes = 0)
    {
        Count(drop, bytes);
        var bit = 1L << (int)drop;
        if ((Interlocked.Or(ref _loggedDrops, bit) & bit) == 0)
        {
            // One line per reason per call; the counters carry the totals.
            LogDropped(Logger, CallId ?? "(before start)", Transport, drop.Name());
        }
    }

    /// <summary>
    /// Audio the call discarded on purpose (talked over, cleared): counted and shown to the observers like a drop, but not
    /// logged — it is how barge-in works, not a fault.
    /// </summary>
    public void Count(CallDrop drop, int bytes = 0)
    {
        Counters.Add(drop);
        _observers.OnDrop(drop, bytes);
    }

    /// <summary>
    /// A caller message refused: dropped (see <see cref="Drop"/>), and past <see cref="CallerFlood.MaxRefused"/> within its
    /// window the caller counts as flooding and the call stops (1008). Returns true then. Caller loop only.
    /// </summary>
    public bool Refuse(CallDrop drop, int bytes)
    {
        Drop(drop, bytes);
        var flood = _services.Flood;
        if (_refusedRate.Count(Time, flood.Window) <= flood.MaxRefused || Interlocked.Exchange(ref _flooding, 1) == 1)
        {
            return false;
        }

        LogFlooding(Logger, CallId ?? "(before start)", Transport, flood.MaxRefused, flood.Window.TotalSeconds);
        _leg.OnEnding(CallEndReason.CallerFlooding, $"More than {flood.MaxRefused} events were refused within {flood.Window.TotalSeconds:F0} s; the session is closed.");
        Stop(CallEndReason.CallerFlooding, $"more than {flood.MaxRefused} refused messages within {flood.Window.TotalSeconds:F0} s");
        return true;
    }

    /// <summary>
    /// Caller audio to the upstream, already in the upstream's format (PCM16 24 kHz bytes, or μ-law for <c>audio/pcmu</c>):
    /// encoded once into an <c>input_audio_buffer.append</c>, shown to the observers with its PCM, and written to the
    /// upstream socket on this task when it is free. <paramref name="pcm"/> is the same audio as samples (empty for μ-law).
    /// </summary>
    public ValueTask<bool> SendAudioUpstream(ReadOnlySpan<byte> audio, ReadOnlySpan<short> pcm, long receivedAt)
    {
        var message = RealtimeAudioFrames.WriteInputAudioBufferAppend(audio);
        _observers.OnUpstreamAudioSent(new AudioFrame(message.Span, audio, pcm, pcm.IsEmpty ? 8000 : 24000, receivedAt));
        return Upstream.SendAsync(message, _stop.Token);
    }

    /// <summary>A control event to the upstream (observers see it on the way).</summary>
    public ValueTask<bool> SendUpstreamAsync(RealtimeMessage message) => Upstream.SendAsync(message, _stop.Token);

    /// <summary>Assistant audio was heard (a mark came back): features that wait for it (a goodbye) look again.</summary>
    public void OnPlaybackProgress()
    {
        foreach (var feature in FeaturesSnapshot())
        {
            feature.OnPlaybackProgress();
        }
    }

    /// <summary>Wraps a raw upstream session so its control events reach the observers and the transcript.</summary>
    internal IRealtimeConnection ObserveConnection(IRealtimeConnection connection) => new ObservedConnection(connection, _observers);

    /// <summary>Opens an upstream session, telling the observers (a span per connect, readiness).</summary>
    internal async ValueTask<RealtimeConnectResult> ConnectAsync(IRealtimeConnector connector)
    {
        _observers.OnUpstreamConnecting();
        var started = Time.GetTimestamp();
        try
        {
            var result = await connector.ConnectAsync(_stop.Token);
            _observers.OnUpstreamConnected(result.Failure, Time.GetElapsedTime(started));
            return result;
        }
        catch (OperationCanceledException)
        {
            _observers.OnUpstreamConnected(new UpstreamEnd(UpstreamEndReason.Cancelled, "connect cancelled"), Time.GetElapsedTime(started));
            throw;
        }
    }

    // Waits for the upstream's session.updated answering the server's policy: nothing the caller sends is read before the
    // upstream confirmed it. An error instead is the policy refused — an operator problem, not the caller's — and the call
    // ends the same way whatever its leg.
    private async Task<bool> SettleAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(_services.SettleTimeout);
        while (true)
        {
            RealtimeReceiveResult result;
            try
            {
                result = await _upstream!.ReceiveAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
            {
                Fail(CallEndReason.UpstreamConnectFailed, "upstream did not confirm the session in time", "The model did not accept the session in time.");
                return false;
            }

            if (result.IsEnd)
            {
                if (timeout.IsCancellationRequested && !_stop.IsCancellationRequested)
                {
                    Fail(CallEndReason.UpstreamConnectFailed, "upstream did not confirm the session in time", "The model did not accept the session in time.");
                }
                else
                {
                    Fail(CallEndReason.UpstreamClosed, result.End!.Description, "The model closed the session.");
                }

                return false;
            }

            var message = result.Message;
            RealtimeEventPeek.TryPeek(message.Span, out var type);
            if (type == RealtimeEventType.Error)
            {
                message.Dispose();
                LogPolicyRefused(Logger, CallId!, Transport);
                Fail(CallEndReason.UpstreamConnectFailed, "upstream refused the server session policy", "The bridge's session configuration was refused by the model.");
                return false;
            }

            if (type == RealtimeEventType.SessionUpdated)
            {
                Volatile.Write(ref _settled, 1);
                _leg.OnSettled(message);
                return true;
            }

            // session.created shows the upstream's defaults, not the call's session: observed (audited), not relayed.
            message.Dispose();
        }
    }

    private async ValueTask AttachFeaturesAsync()
    {
        foreach (var factory in _services.Features)
        {
            if (factory.Create(Transport) is { } feature)
            {
                lock (_features)
                {
                    _features.Add(feature);
                }

                await feature.AttachAsync(this, _stop.Token);
            }
        }
    }

    private ICallFeature[] FeaturesSnapshot()
    {
        lock (_features)
        {
            return _features.Count == 0 ? [] : [.. _features];
        }
    }

    private async Task ReceiveFromUpstreamAsync(CancellationToken token)
    {
        var upstream = _upstream!;
        var features = FeaturesSnapshot();
        var pcmu = _leg.UpstreamAudio == "pcmu";
        byte[]? decoded = null;
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
                        LogUpstreamEnded(Logger, CallId!, end.Reason, end.CloseStatus, end.Description);
                        // Told like an upstream lost before the settle: a Realtime client gets the same error event.
                        Fail(CallEndReason.UpstreamClosed, end.Description, "The model closed the session.");
                    }

                    return;
                }

                var message = result.Message;
                var json = message.Span;
                if (!RealtimeEventPeek.TryPeek(json, out var type))
                {
                    message.Dispose();
                    Drop(CallDrop.MalformedUpstreamEvent);
                    continue;
                }

                var audio = default(UpstreamAudioDelta);
                if (type == RealtimeEventType.ResponseOutputAudioDelta)
                {
                    var received = Stopwatch.GetTimestamp();
                    var needed = RealtimeAudioFrames.GetMaxDecodedAudioLength(json.Length);
                    if (decoded is null || decoded.Length < needed)
                    {
                        if (decoded is not null)
                        {
                            ArrayPool<byte>.Shared.Return(decoded);
                        }

                        decoded = ArrayPool<byte>.Shared.Rent(needed);
                    }

                    if (!RealtimeAudioFrames.TryReadOutputAudioDelta(json, decoded, out var delta))
                    {
                        message.Dispose();
                        Drop(CallDrop.MalformedUpstreamEvent);
                        continue;
                    }

                    var itemId = _itemIds.Get(json[delta.ItemId]);
                    var bytes = decoded.AsSpan(0, delta.AudioLength);
                    var pcm = pcmu ? default : MemoryMarshal.Cast<byte, short>(bytes[..(bytes.Length & ~1)]);
                    _observers.OnUpstreamAudio(new AudioFrame(json, bytes, pcm, pcmu ? 8000 : 24000, received, itemId));
                    audio = new UpstreamAudioDelta(decoded.AsMemory(0, delta.AudioLength), _responseIds.Get(json[delta.ResponseId]), itemId, delta.OutputIndex, delta.ContentIndex, received);
                }
                else if (type == RealtimeEventType.SessionCreated && Volatile.Read(ref _settled) == 1)
                {
                    // A reconnect's new session greets with its defaults; the caller already has the call's session.
                    message.Dispose();
                    continue;
                }
                else if (type == RealtimeEventType.Error)
                {
                    LogUpstreamError(Logger, CallId!, Transport, UpstreamErrorCode(json));
                }

                foreach (var feature in features)
                {
                    feature.OnUpstreamEvent(type, json);
                }

                if (!await _leg.OnUpstreamEventAsync(type, message, audio, token))
                {
                    return;
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

    // The error's code for the log line (never its message, which may quote the caller's input).
    private static string UpstreamErrorCode(ReadOnlySpan<byte> json) =>
        RealtimeEventSerializer.TryParse(json, out var parsed) && parsed is ErrorEvent { Error.Code: { } code } ? code : "unknown";

    // A failure the caller is told about in its own protocol (a Realtime client's error event) before the close.
    private void Fail(CallEndReason reason, string detail, string callerMessage)
    {
        if (!HasEnded)
        {
            _leg.OnEnding(reason, callerMessage);
        }

        End(reason, detail);
    }

    private async ValueTask FinishAsync(Task? callerLoop)
    {
        foreach (var feature in FeaturesSnapshot())
        {
            feature.Dispose();
        }

        // A call that ended before its caller loop ran still reads the caller to the close handshake.
        callerLoop ??= _leg.ReceiveAsync(this);
        await WebSocketClosing.CloseUpstreamAsync(_upstream, Time);
        var (status, description) = CallClose.For(_endReason);
        await _leg.CloseAsync(status, description, callerLoop, Time);
        try
        {
            await _observers.OnEndedAsync(_endReason, _endDetail);
        }
        catch (AggregateException ex)
        {
            LogObserverFailed(Logger, CallId ?? "(before start)", ex);
        }

#pragma warning disable CA1873 // Name() returns a constant from a switch: nothing to save by skipping it.
        LogCallEnded(Logger, CallId ?? "(before start)", Transport, _endReason.Name(), _endDetail ?? string.Empty);
#pragma warning restore CA1873
    }

    public void Dispose() => _stop.Dispose();
}
