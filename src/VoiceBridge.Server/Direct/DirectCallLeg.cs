using System.Net.WebSockets;
using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Realtime.Transport;
using VoiceBridge.Server.Core;

namespace VoiceBridge.Server.Direct;

/// <summary>
/// The leg of a direct call (WebRTC from a browser, SIP from the phone network): control only. The caller's audio runs
/// between the caller and the model; the bridge holds a sideband WebSocket on the call's id
/// (docs/protocols/openai-realtime.md#webrtc-sip-and-sidebands), which the core treats as the call's upstream: policy,
/// tools, transcript, audit, operator control and telemetry are the core's, as for a relayed call. The leg accepts at once
/// (the call was created or accepted already), has no caller loop to read (it waits for the call's end), tells the core
/// what is playing from <c>output_audio_buffer.started</c> / <c>.stopped</c> / <c>.cleared</c> (so <c>end_call</c> hangs up
/// once the goodbye has played), re-asserts the policy when a <c>session.updated</c> shows a client changed a field it may
/// not (counted and audited as <see cref="CallDrop.PolicyViolation"/>), and hangs the call up at the upstream when the
/// bridge ends it. A sideband that drops is re-attached to the same call (<see cref="LegStart.Reattach"/>); a 404 there
/// means the call is over.
/// </summary>
internal sealed partial class DirectCallLeg : ICallerLeg
{
    public const string WebRtc = "webrtc";
    public const string Sip = "sip";

    /// <summary>Re-assertions after which a client that keeps overriding the policy has its call ended.</summary>
    internal const int MaxPolicyViolations = 5;

    /// <summary>
    /// How long after <c>response.done</c> a response with audio counts as playing when no <c>output_audio_buffer</c> event
    /// says otherwise (an upstream whose sideband does not carry them): a minute of speech generated faster than real time.
    /// </summary>
    internal static readonly TimeSpan UnconfirmedPlayback = TimeSpan.FromSeconds(60);

    private readonly string _callId;
    private readonly string? _caller;
    private readonly IRealtimeCalls _calls;
    private readonly DirectSession _session;
    private readonly CallPolicySummary _policy;
    private readonly TimeSpan _requestTimeout;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _over = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<bool> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    // Responses whose audio has not finished playing: 0 while generating, then when response.done came.
    private readonly Dictionary<string, long> _unplayed = new(StringComparer.Ordinal);
    private CallSession? _call;
    private bool _playing;
    private int _attached;
    private int _endedUpstream;
    private int _violations;

    public DirectCallLeg(string transport, string callId, string? caller, IRealtimeCalls calls, DirectSession session, CallPolicySummary policy, TimeSpan requestTimeout, ILogger logger)
    {
        Transport = transport;
        _callId = callId;
        _caller = caller;
        _calls = calls;
        _session = session;
        _policy = policy;
        _requestTimeout = requestTimeout;
        _logger = logger;
    }

    public string Transport { get; }

    /// <summary>No caller audio crosses the bridge; the core's units for the (empty) audio path.</summary>
    public string UpstreamAudio => "pcm24k";

    /// <summary>True once the upstream confirmed the policy on the sideband; false when the call ended before.</summary>
    public Task<bool> Ready => _ready.Task;

    /// <summary>Completes when the call is over.</summary>
    public Task Over => _over.Task;

    /// <summary>
    /// A response's audio is playing to the caller: between <c>output_audio_buffer.started</c> and <c>.stopped</c> or
    /// <c>.cleared</c>, and, since those come after <c>response.done</c>, from <c>response.created</c> of a response with
    /// audio until its playback ended (so a goodbye counts as playing from the start).
    /// </summary>
    public bool IsPlaying
    {
        get
        {
            lock (_gate)
            {
                if (_playing)
                {
                    return true;
                }

                foreach (var (_, doneAt) in _unplayed)
                {
                    if (doneAt == 0 || _call is not { } call || call.Time.GetElapsedTime(doneAt) < UnconfirmedPlayback)
                    {
                        return true;
                    }
                }

                return false;
            }
        }
    }

    /// <summary>Policy re-assertions so far.</summary>
    public int PolicyViolations => Volatile.Read(ref _violations);

    public ValueTask<LegStart?> AcceptAsync(CallSession call)
    {
        _call = call;
        LogStarted(_logger, _callId, Transport, _caller ?? "-");
        return ValueTask.FromResult<LegStart?>(new LegStart
        {
            CallId = _callId,
            Caller = _caller,
            SessionUpdate = _session.SessionUpdate,
            Policy = _policy,
            Connector = new SidebandConnector(this, _calls.Sideband(_callId)),
            Reattach = true,
        });
    }

    public void OnSettled(RealtimeMessage sessionUpdated)
    {
        using (sessionUpdated)
        {
            CheckPolicy(sessionUpdated.Span);
        }
    }

    // Nothing to read: the caller talks to the model. The loop is the wait for the call's end. It starts once the policy
    // is confirmed and the features (tools, operator control) are attached: from here the bridge holds the call.
    public Task ReceiveAsync(CallSession call)
    {
        _ready.TrySetResult(!call.HasEnded);
        return _over.Task;
    }

    public ValueTask<bool> OnUpstreamEventAsync(RealtimeEventType type, RealtimeMessage message, UpstreamAudioDelta audio, CancellationToken cancellationToken)
    {
        using (message)
        {
            var progress = false;
            switch (type)
            {
                case RealtimeEventType.OutputAudioBufferStarted:
                    lock (_gate)
                    {
                        _playing = true;
                    }

                    break;
                case RealtimeEventType.OutputAudioBufferStopped or RealtimeEventType.OutputAudioBufferCleared:
                    lock (_gate)
                    {
                        _playing = false;
                        if (ResponseId(message.Span) is { } played)
                        {
                            _unplayed.Remove(played);
                        }
                        else
                        {
                            _unplayed.Clear();
                        }
                    }

                    progress = true;
                    break;
                case RealtimeEventType.ResponseCreated:
                    if (RealtimeEventSerializer.TryParse(message.Span, out var created) && created is ResponseCreatedEvent { Response.Id: { } createdId })
                    {
                        lock (_gate)
                        {
                            _unplayed[createdId] = 0;
                        }
                    }

                    break;
                case RealtimeEventType.ResponseDone:
                    // A response without audio (a tool call), or cut before it played, has nothing left to play; one with audio
                    // plays on after it was generated, until output_audio_buffer.stopped.
                    if (RealtimeEventSerializer.TryParse(message.Span, out var done) && done is ResponseDoneEvent { Response: { Id: { } doneId } response })
                    {
                        var silent = response.Status != RealtimeResponse.Completed || !HasAudio(response);
                        lock (_gate)
                        {
                            if (silent)
                            {
                                _unplayed.Remove(doneId);
                            }
                            else if (_unplayed.ContainsKey(doneId) && _call is { } call)
                            {
                                _unplayed[doneId] = call.Time.GetTimestamp();
                            }
                        }

                        progress = silent;
                    }

                    break;
                case RealtimeEventType.SessionUpdated:
                    CheckPolicy(message.Span);
                    break;
            }

            if (progress)
            {
                // A goodbye waits for its audio to have played (Calls/CallController).
                _call?.OnPlaybackProgress();
            }
        }

        return ValueTask.FromResult(true);
    }

    public void OnEnding(CallEndReason reason, string message)
    {
        // No caller protocol to tell it in: the call's end is the caller's hang-up signal.
    }

    public async ValueTask CloseAsync(WebSocketCloseStatus status, string description, Task? callerLoop, TimeProvider time)
    {
        _ready.TrySetResult(false);
        if (Volatile.Read(ref _endedUpstream) == 0 && _call?.EndReason is not CallEndReason.CallerHungUp)
        {
            // The bridge ends the call (an operator, end_call, shutdown, a failure): the upstream hangs up the caller.
            using var timeout = new CancellationTokenSource(_requestTimeout, time);
            var outcome = await _calls.HangupAsync(_callId, timeout.Token);
            LogHungUp(_logger, _callId, Transport, outcome.Succeeded, outcome.HttpStatus, outcome.Description);
        }

        _over.TrySetResult();
        if (callerLoop is not null)
        {
            await callerLoop;
        }

        LogEnded(_logger, _callId, Transport, PolicyViolations);
    }

    /// <summary>The sideband answered 404 on re-attaching: the call is over (the caller hung up, or the upstream ended it).</summary>
    private void CallOver(string detail)
    {
        Interlocked.Exchange(ref _endedUpstream, 1);
        _call?.End(CallEndReason.CallerHungUp, detail);
        _over.TrySetResult();
    }

    private void CheckPolicy(ReadOnlySpan<byte> sessionUpdated)
    {
        var drift = _session.Drift(sessionUpdated);
        if (drift.Count == 0 || _call is not { } call)
        {
            return;
        }

        var count = Interlocked.Increment(ref _violations);
        var paths = string.Join(", ", drift);
        LogPolicyOverridden(_logger, _callId, Transport, paths, count);
        call.Drop(CallDrop.PolicyViolation);
        if (count > MaxPolicyViolations)
        {
            call.Stop(CallEndReason.PolicyViolation, $"the client kept changing session fields the server fixes ({paths})");
            return;
        }

        _ = call.SendUpstreamAsync(_session.SessionUpdate()).AsTask();
    }

    private static bool HasAudio(RealtimeResponse response)
    {
        foreach (var item in response.Output ?? [])
        {
            foreach (var part in item.Content ?? [])
            {
                if (part.Type is RealtimeContentPart.OutputAudioType or "audio")
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static string? ResponseId(ReadOnlySpan<byte> json) =>
        RealtimeEventSerializer.TryParse(json, out var parsed) ? parsed switch
        {
            OutputAudioBufferStoppedEvent stopped => stopped.ResponseId,
            OutputAudioBufferClearedEvent cleared => cleared.ResponseId,
            _ => null,
        } : null;

    /// <summary>Sidebands to the call; a 404 after the first one was open is the call's end.</summary>
    private sealed class SidebandConnector(DirectCallLeg leg, IRealtimeConnector inner) : IRealtimeConnector
    {
        public async ValueTask<RealtimeConnectResult> ConnectAsync(CancellationToken cancellationToken)
        {
            var result = await inner.ConnectAsync(cancellationToken);
            if (result.IsConnected)
            {
                Interlocked.Exchange(ref leg._attached, 1);
#pragma warning disable CA2000 // Ownership moves to the caller with the result.
                return RealtimeConnectResult.Connected(new Sideband(leg._session, result.Connection!));
#pragma warning restore CA2000
            }

            if (result.Failure is { HttpStatus: 404 } && Volatile.Read(ref leg._attached) == 1)
            {
                leg.CallOver("the call is over (its sideband answered 404)");
            }

            return result;
        }
    }

    /// <summary>The sideband socket: what the bridge asserts with its own <c>session.update</c> is what the policy check keeps.</summary>
    private sealed class Sideband(DirectSession session, IRealtimeConnection inner) : IRealtimeConnection
    {
        public long DroppedAudioMessages => inner.DroppedAudioMessages;

        public ValueTask<bool> SendAsync(RealtimeMessage message, CancellationToken cancellationToken)
        {
            if (RealtimeEventPeek.TryPeek(message.Span, out var type) && type == RealtimeEventType.SessionUpdate)
            {
                session.OnServerUpdate(message.Span);
            }

            return inner.SendAsync(message, cancellationToken);
        }

        public ValueTask<RealtimeReceiveResult> ReceiveAsync(CancellationToken cancellationToken) => inner.ReceiveAsync(cancellationToken);

        public ValueTask CloseAsync(CancellationToken cancellationToken) => inner.CloseAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
