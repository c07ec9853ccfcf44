using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Server.Core;

/// <summary>
/// The call's upstream as one connection that outlives upstream sessions. When the current session is lost
/// (closed by the peer, connection lost, malformed frame) or reaches <see cref="UpstreamReconnect.SessionLimit"/>,
/// it opens a new one, sends the session config and waits for the new session to accept it (as the call's first
/// session had to: an error or no answer is a failed attempt), sends a compact text replay of the conversation as
/// heard (the GA API has no session resumption: docs/protocols/openai-realtime.md#connecting-over-websocket), asks for
/// a response when the assistant was cut off, and carries on. The session above sees at most a synthetic
/// <c>response.done</c> (status cancelled) for the response that was cut — not the new session's greeting, its answer
/// to the config, or its echo of the replayed items (the observers, below this supervisor, still see all of it), so a
/// Realtime client's conversation is not shown twice. Caller audio during the gap is dropped and counted, not buffered:
/// played late it would be stale and would trigger the new session's VAD on old speech. After <see
/// cref="UpstreamReconnect.Attempts"/> failed attempts (with backoff) the receive returns the end, and the call ends
/// with it.
/// <para>
/// A direct call's sideband (<see cref="LegStart.Reattach"/>) is different: the session lives with the call, not with
/// the socket, so a new socket re-attaches to the same session. The policy is re-asserted, but nothing is replayed, no
/// response is asked for or made up, and the session is never rotated (its limit is the call's).
/// </para>
/// </summary>
internal sealed partial class ReconnectingUpstream : IRealtimeConnection
{
    // The replay is text, newest turns kept: enough context for the model to go on, bounded so a long call does not
    // send a novel (the API's context is counted in tokens; ~4 chars per token,
    // docs/protocols/openai-realtime.md#session-lifetime-and-limits).
    internal const int MaxReplayTurns = 40;
    internal const int MaxReplayChars = 12_000;

    // A session that dies sooner than this after it opened does not give the attempts back: a flapping upstream
    // (accepts, then fails at once, again and again) ends the call after Attempts tries instead of looping forever.
    internal static readonly TimeSpan StableAfter = TimeSpan.FromSeconds(10);

    private readonly IRealtimeConnector _connector;
    private readonly UpstreamReconnect _settings;
    private readonly Func<RealtimeMessage> _sessionUpdate;
    private readonly Func<IRealtimeConnector, ValueTask<RealtimeConnectResult>> _connect;
    private readonly Func<IRealtimeConnection, IRealtimeConnection> _wrap;
    private readonly HeardTranscript _transcript;
    private readonly Action<UpstreamGap>? _onGap;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _callId;
    private readonly Lock _gate = new();
    private readonly ITimer _limitTimer;
    private readonly bool _reattach;
    private IRealtimeConnection _current;
    private volatile IRealtimeConnection? _live;
    private string? _activeResponseId;
    private bool _rotateDue;
    private int _rotating;
    private int _closed;
    private RealtimeMessage? _synthetic;
    private long _gapAudio;
    private long _gapControl;
    private long _droppedByEarlierSessions;
    private long _openedAt;
    private int _attemptsUsed;

    // The item ids the current session was re-seeded with, until it has echoed each (conversation.item.added, then .done):
    // the replay's own echo, not news for the caller. Used only on the receive path (which also runs the reconnect).
    private HashSet<string>? _replayed;

    public ReconnectingUpstream(
        IRealtimeConnection first,
        IRealtimeConnector connector,
        UpstreamReconnect settings,
        Func<RealtimeMessage> sessionUpdate,
        Func<IRealtimeConnector, ValueTask<RealtimeConnectResult>> connect,
        Func<IRealtimeConnection, IRealtimeConnection> wrap,
        HeardTranscript transcript,
        Action<UpstreamGap>? onGap,
        TimeProvider time,
        ILogger logger,
        string callId,
        bool reattach = false)
    {
        _reattach = reattach;
        _current = first;
        _live = first;
        _connector = connector;
        _settings = settings;
        _sessionUpdate = sessionUpdate;
        _connect = connect;
        _wrap = wrap;
        _transcript = transcript;
        _onGap = onGap;
        _time = time;
        _openedAt = time.GetTimestamp();
        _logger = logger;
        _callId = callId;
        _limitTimer = time.CreateTimer(static state => ((ReconnectingUpstream)state!).OnSessionLimit(), this, reattach ? Timeout.InfiniteTimeSpan : settings.SessionLimit, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// The call's upstream: <paramref name="first"/> shown to the call's observers, and supervised for reconnects when
    /// <paramref name="reconnect"/> is given (null keeps the plain observed connection). Each new session is re-seeded
    /// from the call's heard transcript, or re-attached to the same session when <paramref name="reattach"/>.
    /// </summary>
    public static IRealtimeConnection Supervise(
        IRealtimeConnection first,
        UpstreamReconnect? reconnect,
        IRealtimeConnector connector,
        Func<RealtimeMessage> sessionUpdate,
        CallSession call,
        TimeProvider time,
        ILogger logger,
        string callId,
        bool reattach = false)
    {
        var observed = call.ObserveConnection(first);
        return reconnect is null
            ? observed
            : new ReconnectingUpstream(
                observed, connector, reconnect, sessionUpdate, call.ConnectAsync, call.ObserveConnection, call.Transcript, call.Observers.OnUpstreamGap, time, logger, callId, reattach);
    }

    /// <summary>Upstream sessions opened after the first one.</summary>
    public int Reconnects { get; private set; }

    public long DroppedAudioMessages => Interlocked.Read(ref _droppedByEarlierSessions) + _current.DroppedAudioMessages + Interlocked.Read(ref _gapAudio);

    public ValueTask<bool> SendAsync(RealtimeMessage message, CancellationToken cancellationToken)
    {
        if (_live is not { } live)
        {
            Interlocked.Increment(ref message.Kind == RealtimeMessageKind.Audio ? ref _gapAudio : ref _gapControl);
            message.Dispose();
            return ValueTask.FromResult(false);
        }

        return live.SendAsync(message, cancellationToken);
    }

    public async ValueTask<RealtimeReceiveResult> ReceiveAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (TakeSynthetic() is { } synthetic)
            {
                return RealtimeReceiveResult.Received(synthetic);
            }

            var result = await _current.ReceiveAsync(cancellationToken);
            if (!result.IsEnd)
            {
                if (result.Message.Kind != RealtimeMessageKind.Audio && !Track(result.Message.Span))
                {
                    result.Message.Dispose();
                    continue;
                }

                return result;
            }

            var end = result.End!;
            var rotating = Volatile.Read(ref _rotating) == 1;
            if (cancellationToken.IsCancellationRequested || Volatile.Read(ref _closed) == 1 || _settings.Attempts == 0
                || (!rotating && end.Reason is UpstreamEndReason.ClosedByUs or UpstreamEndReason.Cancelled))
            {
                return result;
            }

            if (!await ReconnectAsync(end, rotating, cancellationToken))
            {
                return RealtimeReceiveResult.Ended(end with
                {
                    Description = $"{end.Description}; gave up reconnecting after {_settings.Attempts} attempts",
                });
            }
        }
    }

    public async ValueTask CloseAsync(CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _closed, 1);
        await _limitTimer.DisposeAsync();
        await _current.CloseAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        Interlocked.Exchange(ref _closed, 1);
        await _limitTimer.DisposeAsync();
        TakeSynthetic()?.Dispose();
        await _current.DisposeAsync();
    }

    private RealtimeMessage? TakeSynthetic()
    {
        lock (_gate)
        {
            var synthetic = _synthetic;
            _synthetic = null;
            return synthetic;
        }
    }

    // Follows which response is in flight (a drop mid-response is answered with a synthetic response.done and a
    // response.create on the new session) and rotates when due and idle. False for the echo of a replayed item.
    private bool Track(ReadOnlySpan<byte> json)
    {
        if (!RealtimeEventPeek.TryPeek(json, out var type))
        {
            return true;
        }

        if (_replayed is { } replayed && type is RealtimeEventType.ConversationItemAdded or RealtimeEventType.ConversationItemDone)
        {
            return !IsReplayEcho(type, json, replayed);
        }

        if (type == RealtimeEventType.ResponseCreated && RealtimeEventSerializer.TryParse(json, out var created) && created is ResponseCreatedEvent { Response.Id: { } id })
        {
            lock (_gate)
            {
                _activeResponseId = id;
            }
        }
        else if (type == RealtimeEventType.ResponseDone)
        {
            bool rotate;
            lock (_gate)
            {
                _activeResponseId = null;
                rotate = _rotateDue;
            }

            if (rotate)
            {
                Rotate();
            }
        }

        return true;
    }

    private bool IsReplayEcho(RealtimeEventType type, ReadOnlySpan<byte> json, HashSet<string> replayed)
    {
        if (!RealtimeEventSerializer.TryParse(json, out var parsed))
        {
            return false;
        }

        var id = parsed switch
        {
            ConversationItemAddedEvent { Item.Id: { } added } => added,
            ConversationItemDoneEvent { Item.Id: { } done } => done,
            _ => null,
        };
        if (id is null || !replayed.Contains(id))
        {
            return false;
        }

        if (type == RealtimeEventType.ConversationItemDone && replayed.Remove(id) && replayed.Count == 0)
        {
            _replayed = null;
        }

        return true;
    }

    private void OnSessionLimit()
    {
        bool idle;
        lock (_gate)
        {
            idle = _activeResponseId is null;
            _rotateDue = !idle;
        }

        if (idle)
        {
            Rotate();
        }
    }

    // Closing the current session makes the pending receive end with ClosedByUs, which (flagged) reconnects.
    private void Rotate()
    {
        if (Volatile.Read(ref _closed) == 1 || Interlocked.Exchange(ref _rotating, 1) == 1)
        {
            return;
        }

        LogRotating(_logger, _callId, _settings.SessionLimit);
        _ = _current.CloseAsync(CancellationToken.None).AsTask();
    }

    private async Task<bool> ReconnectAsync(UpstreamEnd end, bool rotating, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        _live = null;
        string? interrupted;
        lock (_gate)
        {
            // Re-attaching, the response goes on in the session whatever happened to our socket.
            interrupted = _reattach ? null : _activeResponseId;
            _activeResponseId = null;
            _rotateDue = false;
            if (interrupted is not null)
            {
                _synthetic = RealtimeEventSerializer.ToMessage(new ResponseDoneEvent
                {
                    Response = new RealtimeResponse { Id = interrupted, ObjectType = "realtime.response", Status = RealtimeResponse.Cancelled, Output = [] },
                });
            }
        }

        Interlocked.Add(ref _droppedByEarlierSessions, _current.DroppedAudioMessages);
        await _current.DisposeAsync();
        var cause = rotating ? UpstreamEndReason.ClosedByUs : end.Reason;
        var detail = rotating ? "session limit reached" : end.Description;
        LogLost(_logger, _callId, cause, detail);
        if (rotating || _time.GetElapsedTime(_openedAt) >= StableAfter)
        {
            _attemptsUsed = 0;
        }

        var attempts = 0;
        while (_attemptsUsed < _settings.Attempts)
        {
            attempts++;
            _attemptsUsed++;
            await Task.Delay(_settings.DelayBefore(_attemptsUsed), _time, cancellationToken);
            var connect = await _connect(_connector);
            if (!connect.IsConnected)
            {
                LogAttemptFailed(_logger, _callId, attempts, connect.Failure!.Reason, connect.Failure.Description);
                continue;
            }

            var fresh = _wrap(connect.Connection!);
            _current = fresh;
            _openedAt = _time.GetTimestamp();
            await fresh.SendAsync(_sessionUpdate(), cancellationToken);
            // A re-attached sideband is not settled here: events of the live session arrive before the answer to our
            // session.update and must reach the leg (a tool call among them); the direct leg checks each session.updated.
            if (!_reattach && await SettleAsync(fresh, cancellationToken) is { } refused)
            {
                // The policy refused, or no answer: this session must not carry the call.
                LogNotSettled(_logger, _callId, attempts, refused);
                Interlocked.Add(ref _droppedByEarlierSessions, fresh.DroppedAudioMessages);
                await fresh.DisposeAsync();
                continue;
            }

            var (replayed, callerWaiting) = _reattach ? (0, false) : await ReplayAsync(fresh, cancellationToken);
            var respond = interrupted is not null || callerWaiting;
            if (respond)
            {
                // The caller was mid-answer (or owed one): ask at once so they hear the assistant again right away.
                await fresh.SendAsync(RealtimeEventSerializer.ToMessage(new ResponseCreateEvent()), cancellationToken);
            }

            Reconnects++;
            _limitTimer.Change(_reattach ? Timeout.InfiniteTimeSpan : _settings.SessionLimit, Timeout.InfiniteTimeSpan);
            Interlocked.Exchange(ref _rotating, 0);
            _live = fresh;
            Report(cause, detail, resumed: true, attempts, started, replayed, respond);
            return true;
        }

        Report(cause, detail, resumed: false, attempts, started, 0, false);
        return false;
    }

    // The new session's answer to the call's session.update; null when it accepted it, else why not. Its greeting
    // (session.created, the upstream's defaults) is seen by the observers below and not passed up.
    private async Task<string?> SettleAsync(IRealtimeConnection fresh, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(_settings.SettleTimeout, _time);
        using var settle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            while (true)
            {
                var result = await fresh.ReceiveAsync(settle.Token);
                if (result.IsEnd)
                {
                    return result.End!.Description;
                }

                var message = result.Message;
                RealtimeEventPeek.TryPeek(message.Span, out var type);
                message.Dispose();
                if (type == RealtimeEventType.SessionUpdated)
                {
                    return null;
                }

                if (type == RealtimeEventType.Error)
                {
                    return "the new session refused the call's session configuration";
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return "the new session did not confirm the call's session in time";
        }
    }

    private async Task<(int Replayed, bool CallerWaiting)> ReplayAsync(IRealtimeConnection fresh, CancellationToken cancellationToken)
    {
        var turns = _transcript.Turns();
        var first = turns.Count;
        var chars = 0;
        while (first > 0 && turns.Count - first < MaxReplayTurns && chars + turns[first - 1].Text.Length <= MaxReplayChars)
        {
            first--;
            chars += turns[first].Text.Length;
        }

        var replayed = 0;
        HashSet<string>? ids = null;
        for (var i = first; i < turns.Count; i++)
        {
            var turn = turns[i];
            if (turn.Text.Length == 0)
            {
                continue;
            }

            var caller = turn.Role == HeardTurn.CallerRole;
            var item = new ConversationItemCreateEvent
            {
                Item = new RealtimeItem
                {
                    // The original id: the transcript and the audit see the replayed item as the same turn.
                    Id = turn.ItemId,
                    Type = "message",
                    Role = caller ? "user" : "assistant",
                    Content = [new RealtimeContentPart { Type = caller ? "input_text" : "output_text", Text = turn.Text }],
                },
            };
            (ids ??= new HashSet<string>(StringComparer.Ordinal)).Add(turn.ItemId);
            await fresh.SendAsync(RealtimeEventSerializer.ToMessage(item), cancellationToken);
            replayed++;
        }

        _replayed = ids;

        return (replayed, turns.Count > 0 && turns[^1].Role == HeardTurn.CallerRole);
    }

    private void Report(UpstreamEndReason cause, string detail, bool resumed, int attempts, long started, int replayed, bool respond)
    {
        var gap = new UpstreamGap
        {
            Cause = cause,
            Detail = detail,
            Resumed = resumed,
            Attempts = attempts,
            Duration = _time.GetElapsedTime(started),
            DroppedAudioFrames = Interlocked.Exchange(ref _gapAudio, 0),
            DroppedControlEvents = Interlocked.Exchange(ref _gapControl, 0),
            ReplayedTurns = replayed,
            ResponseRequested = respond,
        };
        Interlocked.Add(ref _droppedByEarlierSessions, gap.DroppedAudioFrames);
        if (resumed)
        {
            LogResumed(_logger, _callId, attempts, gap.Duration.TotalMilliseconds, replayed, gap.DroppedAudioFrames);
        }
        else
        {
            LogGaveUp(_logger, _callId, attempts, gap.Duration.TotalMilliseconds);
        }

        _onGap?.Invoke(gap);
    }

    [LoggerMessage(EventId = 1210, Level = LogLevel.Warning, Message = "Call {CallId}: upstream session lost ({Cause}: {Detail}); reconnecting")]
    private static partial void LogLost(ILogger logger, string callId, UpstreamEndReason cause, string detail);

    [LoggerMessage(EventId = 1211, Level = LogLevel.Warning, Message = "Call {CallId}: reconnect attempt {Attempt} failed ({Reason}: {Detail})")]
    private static partial void LogAttemptFailed(ILogger logger, string callId, int attempt, UpstreamEndReason reason, string detail);

    [LoggerMessage(EventId = 1212, Level = LogLevel.Information, Message = "Call {CallId}: upstream resumed after {Attempts} attempts, gap {GapMs:F0} ms, {Turns} turns replayed, {DroppedFrames} caller frames dropped in the gap")]
    private static partial void LogResumed(ILogger logger, string callId, int attempts, double gapMs, int turns, long droppedFrames);

    [LoggerMessage(EventId = 1213, Level = LogLevel.Error, Message = "Call {CallId}: no new upstream session after {Attempts} attempts ({GapMs:F0} ms); ending the call")]
    private static partial void LogGaveUp(ILogger logger, string callId, int attempts, double gapMs);

    [LoggerMessage(EventId = 1214, Level = LogLevel.Information, Message = "Call {CallId}: upstream session reached its {Limit} limit; rotating to a new one")]
    private static partial void LogRotating(ILogger logger, string callId, TimeSpan limit);

    [LoggerMessage(EventId = 1220, Level = LogLevel.Warning, Message = "Call {CallId}: reconnect attempt {Attempt} failed: {Detail}")]
    private static partial void LogNotSettled(ILogger logger, string callId, int attempt, string detail);
}
