using System.Text.Json;
using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Realtime.Transport;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Telemetry;
using VoiceBridge.Server.Tools;
using VoiceBridge.Server.Twilio;

namespace VoiceBridge.Server.Calls;

/// <summary>
/// The control channel of one live call: runs its server-side tools, carries out what they ask for after the model's
/// reply has been heard (hang up, transfer), prompts a silent caller and hangs up on one, and takes the operator's
/// commands (instructions, say, transfer). The session feeds it upstream events and playback progress through one-line
/// hooks; it sends client events upstream itself (the connection's send queue takes several writers) and never blocks
/// the session's loops. Thread-safe.
/// </summary>
internal sealed partial class CallController : ICallFeature
{
    /// <summary>How long a goodbye may take to be heard before the call ends anyway (marks that never come back).</summary>
    public static readonly TimeSpan GoodbyeTimeout = TimeSpan.FromSeconds(20);

    /// <summary>After a successful transfer Twilio stops the stream itself; if it has not after this long, the bridge closes it.</summary>
    public static readonly TimeSpan TransferGrace = TimeSpan.FromSeconds(10);

    /// <summary>The <c>metadata.voicebridge</c> tag of the responses the bridge asks for (the API echoes metadata in response.created).</summary>
    public const string GoodbyeTag = "goodbye";

    public const string IdlePromptTag = "idle_prompt";
    public const string SayTag = "say";

    private const string IdlePromptInstructions =
        "The caller has said nothing for a while. Ask once, briefly and kindly, whether they are still there.";

    private const string IdleGoodbyeInstructions =
        "The caller has been silent for a long time. Say a short, polite goodbye; the call ends after it.";

    private readonly CallControlServices _services;
    private readonly Lock _gate = new();
    private readonly HashSet<string> _activeResponses = new(StringComparer.Ordinal);
    private readonly ITimer _idleTimer;
    private readonly ITimer _endingTimer;
    private IRealtimeConnection? _upstream;
    private ICallHandle? _call;
    private ToolRunner? _tools;
    private CancellationToken _ending;
    private string _callId = string.Empty;

    // Guarded by _gate.
    private bool _callerSpeaking;
    private DateTimeOffset? _silenceSince;
    private bool _prompted;
    private bool _idlePromptInFlight;
    private AfterReply _after;
    private string? _transferTo;
    private bool _goodbyeRequested;
    private string? _goodbyeResponseId;
    private bool _goodbyeDone;
    private int _acted;
    private string _state = "live";

    internal CallController(CallControlServices services, string transport)
    {
        _services = services;
        Transport = transport;
        _idleTimer = services.Time.CreateTimer(static s => ((CallController)s!).OnIdleTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _endingTimer = services.Time.CreateTimer(static s => ((CallController)s!).OnEndingTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public string Transport { get; }

    /// <summary><c>live</c>, <c>ending</c> (a goodbye is being said), <c>transferring</c>, <c>transferred</c>.</summary>
    public string State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>Tool calls running now.</summary>
    public int ToolsRunning => _tools?.Running ?? 0;

    /// <summary>
    /// Once the upstream accepted the policy: starts the tool runner and the idle clock, and applies the instructions an
    /// outbound call was placed with.
    /// </summary>
    /// <param name="call">The call: its upstream, its playback, its end.</param>
    /// <param name="ending">Cancelled when the call ends.</param>
    public async ValueTask AttachAsync(ICallHandle call, CancellationToken ending)
    {
        ArgumentNullException.ThrowIfNull(call);
        _call = call;
        _upstream = call.Upstream;
        _callId = call.CallId;
        _ending = ending;
        var callId = _callId;
        _tools = new ToolRunner(_services.Tools, async value => await SendAsync(value), callId, Transport, answerUnknownTools: Transport is "twilio" or "sip", _services.Logger, ending,
            (name, toolCallId) => VoiceBridgeActivity.StartToolCall(name, toolCallId, callId), call.Observers, _services.Time);
        _tools.ToolsAnswered += OnToolsAnsweredAsync;
        if (await _services.Outbound.TakeAsync(callId, ending) is { } instructions)
        {
            await SendAsync(InstructionsUpdate(instructions));
        }

        Reschedule();
    }

    /// <summary>Session hook: every upstream event (per-frame audio events return at once).</summary>
    public void OnUpstreamEvent(RealtimeEventType type, ReadOnlySpan<byte> json)
    {
        if (_tools is null)
        {
            return;
        }

        switch (type)
        {
            case RealtimeEventType.ResponseFunctionCallArgumentsDone:
                if (RealtimeEventSerializer.TryParse(json, out var args) && args is ResponseFunctionCallArgumentsDoneEvent done)
                {
                    _tools.OnArgumentsDone(done);
                }

                break;
            case RealtimeEventType.ResponseCreated:
                if (RealtimeEventSerializer.TryParse(json, out var created) && created is ResponseCreatedEvent { Response.Id: { } createdId } c)
                {
                    OnResponseCreated(createdId, Tag(c.Response));
                }

                break;
            case RealtimeEventType.ResponseDone:
                if (RealtimeEventSerializer.TryParse(json, out var finished) && finished is ResponseDoneEvent responseDone)
                {
                    _tools.OnResponseDone(responseDone);
                    OnResponseDone(responseDone.Response?.Id);
                }

                break;
            case RealtimeEventType.InputAudioBufferSpeechStarted:
                lock (_gate)
                {
                    // The caller spoke: the silence is over, and a later one may be prompted again.
                    _callerSpeaking = true;
                    _silenceSince = null;
                    _prompted = false;
                    _idlePromptInFlight = false;
                }

                Reschedule();
                break;
            case RealtimeEventType.InputAudioBufferSpeechStopped:
                lock (_gate)
                {
                    _callerSpeaking = false;
                }

                Reschedule();
                break;
        }
    }

    /// <summary>Session hook: a mark was echoed (assistant audio was heard).</summary>
    public void OnPlaybackProgress()
    {
        CheckGoodbyeHeard();
        Reschedule();
    }

    /// <summary>Operator: a mid-call <c>session.update</c> with new instructions.</summary>
    public ValueTask<bool> UpdateInstructionsAsync(string instructions) => SendAsync(InstructionsUpdate(instructions));

    /// <summary>Operator: the assistant says <paramref name="text"/> now (a response in progress is cancelled first).</summary>
    public async ValueTask<bool> SayAsync(string text)
    {
        bool active;
        lock (_gate)
        {
            active = _activeResponses.Count > 0;
        }

        if (active && !await SendAsync(new ResponseCancelEvent()))
        {
            return false;
        }

        return await SendAsync(Respond(VerbatimSpeech.Instructions(text), SayTag));
    }

    /// <summary>Operator: redirect the phone call to <paramref name="number"/> now (REST call update with <c>&lt;Dial&gt;</c>).</summary>
    public async Task<TwilioRestResult> TransferAsync(string number, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _state = "transferring";
        }

        var result = await _services.Twilio.UpdateCallAsync(_callId, Twiml.Dial(number), cancellationToken);
        Transferred(result.Succeeded);
        return result;
    }

    public void Dispose()
    {
        _idleTimer.Dispose();
        _endingTimer.Dispose();
    }

    private void OnResponseCreated(string responseId, string? tag)
    {
        lock (_gate)
        {
            _activeResponses.Add(responseId);
            // Our goodbye is the response tagged so; an upstream that does not echo metadata gets the first one after the request.
            if (_goodbyeRequested && _goodbyeResponseId is null && tag is null or GoodbyeTag)
            {
                _goodbyeResponseId = responseId;
            }
        }

        Reschedule();
    }

    private void OnResponseDone(string? responseId)
    {
        lock (_gate)
        {
            if (responseId is not null)
            {
                _activeResponses.Remove(responseId);
                _goodbyeDone |= responseId == _goodbyeResponseId;
            }
        }

        CheckGoodbyeHeard();
        Reschedule();
    }

    private async ValueTask OnToolsAnsweredAsync(IReadOnlyList<ToolResult> results, bool completed)
    {
        var action = results.FirstOrDefault(r => r.After != AfterReply.Nothing);
        if (action is not null)
        {
            BeginGoodbye(action.After, action.TransferTo);
            await SendAsync(Respond(null, GoodbyeTag));
            return;
        }

        // A response cancelled by the caller's speech is followed by the model's answer to that speech, which sees the
        // outputs; a response.create of ours would collide with it.
        if (completed)
        {
            await SendAsync(new ResponseCreateEvent());
        }

        Reschedule();
    }

    private void BeginGoodbye(AfterReply after, string? transferTo)
    {
        lock (_gate)
        {
            if (_goodbyeRequested)
            {
                return;
            }

            _goodbyeRequested = true;
            _after = after;
            _transferTo = transferTo;
            _state = after == AfterReply.Transfer ? "transferring" : "ending";
        }

        _idleTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _endingTimer.Change(GoodbyeTimeout, Timeout.InfiniteTimeSpan);
    }

    private void CheckGoodbyeHeard()
    {
        lock (_gate)
        {
            if (!_goodbyeDone)
            {
                return;
            }
        }

        // Marks are the only truth about what the caller heard (docs/protocols/twilio-media-streams.md#mark-echoes):
        // the goodbye is over when none is pending.
        if (!_call?.IsPlaying == true)
        {
            _ = ActAsync("goodbye heard");
        }
    }

    private void OnEndingTimer()
    {
        bool transferred;
        lock (_gate)
        {
            transferred = _state == "transferred";
        }

        if (transferred)
        {
            _call?.Stop(CallEndReason.EndedByBridge, "transferred; Twilio did not stop the stream");
            return;
        }

        _ = ActAsync("goodbye not confirmed in time");
    }

    private async Task ActAsync(string why)
    {
        if (Interlocked.Exchange(ref _acted, 1) != 0)
        {
            return;
        }

        AfterReply after;
        string? number;
        lock (_gate)
        {
            after = _after;
            number = _transferTo;
        }

        if (after == AfterReply.Transfer && number is not null)
        {
            var result = await _services.Twilio.UpdateCallAsync(_callId, Twiml.Dial(number), _ending);
            LogTransfer(_services.Logger, _callId, result.Succeeded, result.Error ?? "ok");
            Transferred(result.Succeeded);
            if (!result.Succeeded)
            {
                // Tell the model, which tells the caller; the call goes on.
                await SendAsync(new ConversationItemCreateEvent
                {
                    Item = new RealtimeItem
                    {
                        Type = RealtimeItem.MessageType,
                        Role = "system",
                        Content = [new RealtimeContentPart { Type = RealtimeContentPart.InputTextType, Text = "The transfer failed: the phone system refused it. Apologise and offer to help another way." }],
                    },
                });
                await SendAsync(new ResponseCreateEvent());
            }

            return;
        }

        LogHangingUp(_services.Logger, _callId, why);
        _call?.Stop(CallEndReason.EndedByBridge, "call ended by the assistant (" + why + ")");
    }

    private void Transferred(bool succeeded)
    {
        lock (_gate)
        {
            _state = succeeded ? "transferred" : "live";
            if (!succeeded)
            {
                _goodbyeRequested = false;
                _goodbyeResponseId = null;
                _goodbyeDone = false;
                _after = AfterReply.Nothing;
                Interlocked.Exchange(ref _acted, 0);
            }
        }

        _endingTimer.Change(succeeded ? TransferGrace : Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    // The idle clock runs only while the bridge waits for the caller: nobody speaking, nothing generating or playing, no
    // tool running. The bridge's own idle prompt pauses it without resetting it, so both thresholds count from the
    // start of the caller's silence.
    private void Reschedule()
    {
        var options = _services.Session;
        if (options.IdlePromptSeconds is null && options.IdleHangupSeconds is null || _tools is null)
        {
            return;
        }

        var busy = IsBusy();
        DateTimeOffset? next = null;
        lock (_gate)
        {
            if (_goodbyeRequested)
            {
                return;
            }

            if (busy)
            {
                if (!_idlePromptInFlight)
                {
                    _silenceSince = null;
                }
            }
            else
            {
                _idlePromptInFlight = false;
                var since = _silenceSince ??= _services.Time.GetUtcNow();
                next = !_prompted && options.IdlePromptSeconds is { } prompt ? since.AddSeconds(prompt)
                    : options.IdleHangupSeconds is { } hangup ? since.AddSeconds(hangup)
                    : null;
            }
        }

        var due = next is { } at ? Max(at - _services.Time.GetUtcNow(), TimeSpan.Zero) : Timeout.InfiniteTimeSpan;
        _idleTimer.Change(due, Timeout.InfiniteTimeSpan);
    }

    private bool IsBusy()
    {
        var playing = _call?.IsPlaying == true;
        lock (_gate)
        {
            return playing || _callerSpeaking || _activeResponses.Count > 0 || (_tools?.Running ?? 0) > 0;
        }
    }

    private void OnIdleTimer()
    {
        var options = _services.Session;
        if (IsBusy())
        {
            Reschedule();
            return;
        }

        var now = _services.Time.GetUtcNow();
        string? tag = null;
        lock (_gate)
        {
            if (_goodbyeRequested || _silenceSince is not { } since)
            {
                return;
            }

            if (options.IdleHangupSeconds is { } hangup && now >= since.AddSeconds(hangup))
            {
                tag = GoodbyeTag;
            }
            else if (!_prompted && options.IdlePromptSeconds is { } prompt && now >= since.AddSeconds(prompt))
            {
                _prompted = true;
                _idlePromptInFlight = true;
                tag = IdlePromptTag;
            }
        }

        if (tag == GoodbyeTag)
        {
            LogIdle(_services.Logger, _callId, "hanging up");
            BeginGoodbye(AfterReply.HangUp, null);
            _ = SendAsync(Respond(IdleGoodbyeInstructions, GoodbyeTag)).AsTask();
        }
        else if (tag == IdlePromptTag)
        {
            LogIdle(_services.Logger, _callId, "prompting");
            _ = SendAsync(Respond(IdlePromptInstructions, IdlePromptTag)).AsTask();
        }
        else
        {
            Reschedule();
        }
    }

    private async ValueTask<bool> SendAsync(RealtimeEvent value)
    {
        if (_upstream is not { } upstream)
        {
            return false;
        }

        try
        {
            return await upstream.SendAsync(RealtimeEventSerializer.ToMessage(value), _ending);
        }
        catch (OperationCanceledException)
        {
            // The call is ending.
            return false;
        }
    }

    private static SessionUpdateEvent InstructionsUpdate(string instructions) =>
        new() { Session = new RealtimeSession { Type = "realtime", Instructions = instructions } };

    private static ResponseCreateEvent Respond(string? instructions, string tag)
    {
        using var metadata = JsonDocument.Parse("{\"voicebridge\":" + JsonSerializer.Serialize(tag, RealtimeJsonContext.Default.String) + "}");
        return new ResponseCreateEvent
        {
            Response = new RealtimeResponseParameters
            {
                Instructions = instructions,
                ExtensionData = new() { ["metadata"] = metadata.RootElement.Clone() },
            },
        };
    }

    private static string? Tag(RealtimeResponse? response) =>
        response?.ExtensionData is { } extra && extra.TryGetValue("metadata", out var metadata)
            && metadata.ValueKind == JsonValueKind.Object && metadata.TryGetProperty("voicebridge", out var tag) && tag.ValueKind == JsonValueKind.String
            ? tag.GetString()
            : null;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    [LoggerMessage(EventId = 1620, Level = LogLevel.Information, Message = "Call {CallId}: ending ({Why})")]
    private static partial void LogHangingUp(ILogger logger, string callId, string why);

    [LoggerMessage(EventId = 1621, Level = LogLevel.Information, Message = "Call {CallId}: transfer requested, succeeded: {Succeeded} ({Detail})")]
    private static partial void LogTransfer(ILogger logger, string callId, bool succeeded, string detail);

    [LoggerMessage(EventId = 1622, Level = LogLevel.Information, Message = "Call {CallId}: caller silent, {Action}")]
    private static partial void LogIdle(ILogger logger, string callId, string action);
}
