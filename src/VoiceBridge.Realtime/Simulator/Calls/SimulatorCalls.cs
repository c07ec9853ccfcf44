using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace VoiceBridge.Realtime.Simulator.Calls;

/// <summary>
/// The simulator's calls resource: WebRTC calls created from a browser's offer, SIP calls announced by a webhook and
/// accepted or rejected, hang-ups, and sidebands on a call's id — the surface of the API's <c>/v1/realtime/calls</c>
/// (docs/protocols/openai-realtime.md#webrtc-sip-and-sidebands), without a WebRTC stack: a model-side browser page
/// (<see cref="Answerer"/>) answers offers and carries the media. Without one, a WebRTC call is answered with a
/// placeholder SDP no browser can connect to: enough for signalling and sideband tests, said so in its session name.
/// Transport-agnostic: <c>voicebridge simulator</c> serves it over HTTP and WebSockets, the bridge's in-process simulator
/// calls it directly.
/// </summary>
public sealed class SimulatorCalls : IAsyncDisposable
{
    /// <summary>What a WebRTC call is answered with when no model-side peer is attached.</summary>
    public const string PlaceholderAnswer = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=voicebridge-simulator placeholder (no model-side media peer attached)\r\nt=0 0\r\n";

    private const int MaxEndedKept = 1000;

    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(15);

    private readonly SimulatorOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, SimulatorCall> _calls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SimulatorCall> _ended = new(StringComparer.Ordinal);
    private volatile ISimulatorAnswerer? _answerer;

    public SimulatorCalls(SimulatorOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _options = options;
        _time = time;
    }

    /// <summary>The model-side peer that answers WebRTC offers and carries their media; null: placeholder answers.</summary>
    public ISimulatorAnswerer? Answerer
    {
        get => _answerer;
        set => _answerer = value;
    }

    /// <summary>Calls ringing or live.</summary>
    public IReadOnlyCollection<SimulatorCall> Live => [.. _calls.Values];

    /// <summary>Raised when a call ends (after its sidebands were closed).</summary>
    public event Action<SimulatorCall>? CallEnded;

    /// <summary>A call by id, live or ended (ended ones are kept so tests and tools can read how they ended).</summary>
    public SimulatorCall? Find(string callId) =>
        _calls.TryGetValue(callId, out var call) ? call : _ended.TryGetValue(callId, out var ended) ? ended : null;

    /// <summary><c>POST /v1/realtime/calls</c>: a WebRTC call from the browser's offer with <paramref name="sessionJson"/> (201).</summary>
    public async Task<SimulatorCallResult> CreateWebRtcAsync(string offerSdp, string? sessionJson, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(offerSdp);
        if (!offerSdp.StartsWith("v=0", StringComparison.Ordinal))
        {
            return new SimulatorCallResult(400, "The offer is not an SDP (it must start with v=0).");
        }

        if (SimulatorCall.CheckSession(sessionJson) is { } problem)
        {
            return new SimulatorCallResult(400, problem);
        }

        var call = Add(SimulatorCallKind.WebRtc, []);
        await call.StartAsync(sessionJson).ConfigureAwait(false);
        if (_answerer is not { } answerer)
        {
            return new SimulatorCallResult(201, Call: call, AnswerSdp: PlaceholderAnswer);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(AnswerTimeout);
        string? answer;
        try
        {
            answer = await answerer.AnswerAsync(call.Id, offerSdp, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            answer = null;
        }

        if (answer is null)
        {
            call.End("the model-side peer did not answer the offer");
            return new SimulatorCallResult(503, "The simulator's model-side peer could not answer the offer.");
        }

        return new SimulatorCallResult(201, Call: call, AnswerSdp: answer);
    }

    /// <summary>A SIP call arriving: ringing until <see cref="AcceptAsync"/> or <see cref="Reject"/>.</summary>
    public SimulatorCall Incoming(IReadOnlyList<KeyValuePair<string, string>> sipHeaders)
    {
        ArgumentNullException.ThrowIfNull(sipHeaders);
        return Add(SimulatorCallKind.Sip, sipHeaders);
    }

    /// <summary><c>POST /v1/realtime/calls/{id}/accept</c> with the session JSON (<c>type</c> required).</summary>
    public async Task<SimulatorCallResult> AcceptAsync(string callId, string? sessionJson)
    {
        if (!_calls.TryGetValue(callId, out var call))
        {
            return new SimulatorCallResult(404, $"Call '{callId}' not found.");
        }

        if (sessionJson is null || SimulatorCall.CheckSession(sessionJson) is { } problem)
        {
            return new SimulatorCallResult(400, sessionJson is null ? "Missing required parameter: 'type'." : SimulatorCall.CheckSession(sessionJson));
        }

        if (call.State != SimulatorCallState.Ringing)
        {
            return new SimulatorCallResult(409, $"Call '{callId}' is not ringing.");
        }

        await call.StartAsync(sessionJson).ConfigureAwait(false);
        return new SimulatorCallResult(200, Call: call);
    }

    /// <summary><c>POST /v1/realtime/calls/{id}/reject</c> (<c>status_code</c>, 603 by default).</summary>
    public SimulatorCallResult Reject(string callId, int? sipStatus)
    {
        if (!_calls.TryGetValue(callId, out var call))
        {
            return new SimulatorCallResult(404, $"Call '{callId}' not found.");
        }

        if (call.State != SimulatorCallState.Ringing)
        {
            return new SimulatorCallResult(409, $"Call '{callId}' is not ringing.");
        }

        call.End("rejected with SIP " + (sipStatus ?? 603).ToString(System.Globalization.CultureInfo.InvariantCulture));
        return new SimulatorCallResult(200, Call: call);
    }

    /// <summary><c>POST /v1/realtime/calls/{id}/hangup</c>.</summary>
    public SimulatorCallResult Hangup(string callId, string reason = "hung up by the server")
    {
        if (!_calls.TryGetValue(callId, out var call))
        {
            return new SimulatorCallResult(404, $"Call '{callId}' not found.");
        }

        call.End(reason);
        return new SimulatorCallResult(200, Call: call);
    }

    /// <summary><c>POST /v1/realtime/calls/{id}/refer</c>: the simulator has no phone network; the call ends as transferred.</summary>
    public SimulatorCallResult Refer(string callId, string? targetUri)
    {
        if (string.IsNullOrEmpty(targetUri))
        {
            return new SimulatorCallResult(400, "Missing required parameter: 'target_uri'.");
        }

        return Hangup(callId, "referred to " + targetUri);
    }

    /// <summary>A sideband on <c>?call_id=</c>; null when the call is unknown, ringing or over (the API answers 404).</summary>
    public ISimulatorSession? OpenSideband(string callId) =>
        _calls.TryGetValue(callId, out var call) ? call.OpenSideband() : null;

    public ValueTask DisposeAsync()
    {
        foreach (var call in _calls.Values)
        {
            call.End("simulator stopped");
        }

        return ValueTask.CompletedTask;
    }

    private SimulatorCall Add(SimulatorCallKind kind, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        // rtc_ like the API's call ids (docs/protocols/openai-realtime.md#webrtc-sip-and-sidebands).
        var id = "rtc_sim" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var call = new SimulatorCall(id, kind, headers, _options, _time, OnEnded);
        _calls[id] = call;
        return call;
    }

    private void OnEnded(SimulatorCall call)
    {
        _calls.TryRemove(call.Id, out _);
        _ended[call.Id] = call;
        if (_ended.Count > MaxEndedKept)
        {
            // Bounded: a long-running simulator forgets the oldest ended calls (their sidebands are 404 either way).
            foreach (var old in _ended.Keys.Take(_ended.Count - MaxEndedKept))
            {
                _ended.TryRemove(old, out _);
            }
        }

        if (call.Kind == SimulatorCallKind.WebRtc)
        {
            _answerer?.Hangup(call.Id);
        }

        CallEnded?.Invoke(call);
    }
}
