using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using VoiceBridge.Realtime.Transport;
using VoiceBridge.Server.Admission;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Telemetry;

namespace VoiceBridge.Server.Direct;

/// <summary>
/// Starts direct calls: builds a call's session from the server policy (and what a client token fixed), asks the
/// upstream for the call (create for WebRTC, accept or reject for SIP), and runs it on the call core with a
/// <see cref="DirectCallLeg"/> for as long as it lives, holding its admission slot. The call outlives the HTTP request
/// that made it; the shutdown drain stops it like any other call (it is in the registry).
/// </summary>
internal sealed partial class DirectCalls(
    IRealtimeCalls upstream,
    CallSessions sessions,
    CallAdmission admission,
    SessionPolicy policy,
    IOptions<DirectOptions> options,
    VoiceBridgeMetrics metrics,
    ILoggerFactory loggers)
{
    /// <summary>Busy here, as SIP says it (RFC 3261 §21.4.24): draining or at <c>Session:MaxConcurrentCalls</c>.</summary>
    public const int SipBusy = 486;

    private readonly ILogger _logger = loggers.CreateLogger<DirectCalls>();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DirectCallLeg> _live = new(StringComparer.Ordinal);

    /// <summary>A direct call is held by the bridge (its sideband confirmed the policy, its features are attached).</summary>
    public event Action<DirectCallLeg>? Running;

    /// <summary>The direct calls running now, by call id.</summary>
    public IReadOnlyDictionary<string, DirectCallLeg> Live => _live;
    private readonly ILogger<DirectCallLeg> _legLogger = loggers.CreateLogger<DirectCallLeg>();

    public IRealtimeCalls Upstream => upstream;

    public DirectOptions Options => options.Value;

    public TimeSpan RequestTimeout => TimeSpan.FromSeconds(options.Value.RequestTimeoutSeconds);

    /// <summary>The session of a new direct call.</summary>
    public DirectSession NewSession(JsonObject? tokenSession) => DirectSession.Create(policy, tokenSession, options.Value.ClientMayChangePaths());

    /// <summary>A slot for a new call, or null (refusal logged and counted).</summary>
    public CallSlot? TryAdmit(string transport)
    {
        var slot = admission.TryAdmit(transport);
        if (slot is null)
        {
            Refused(transport, "busy");
        }

        return slot;
    }

    /// <summary>Counts a call turned away before it started.</summary>
    public void Refused(string transport, string reason) =>
        metrics.DirectCallsRefused.Add(1, new TagList { { "voicebridge.transport", transport }, { "voicebridge.reason", reason } });

    /// <summary>Counts and logs a refused webhook (one line each).</summary>
    public void WebhookRefused(Security.WebhookCheckStatus status)
    {
        var reason = status switch
        {
            Security.WebhookCheckStatus.NoSecret => "no_secret",
            Security.WebhookCheckStatus.MissingHeaders => "missing_headers",
            Security.WebhookCheckStatus.BadSignature => "bad_signature",
            Security.WebhookCheckStatus.Stale => "stale",
            Security.WebhookCheckStatus.Replayed => "replayed",
            _ => "unknown",
        };
        metrics.WebhooksRefused.Add(1, new TagList { { "voicebridge.reason", reason } });
        LogWebhookRefused(_logger, reason);
    }

    /// <summary>
    /// Runs a call the upstream made or accepted, in the background, to its end; returns its leg (whose
    /// <see cref="DirectCallLeg.Ready"/> says when the bridge holds the call). The slot is released when the call ends.
    /// </summary>
    public DirectCallLeg Run(string transport, string callId, string? caller, DirectSession session, CallSlot slot)
    {
        var leg = new DirectCallLeg(transport, callId, caller, upstream, session, Summary(transport), RequestTimeout, _legLogger);
        _live[callId] = leg;
        _ = leg.Ready.ContinueWith(
            static (ready, state) =>
            {
                var (calls, held) = ((DirectCalls, DirectCallLeg))state!;
                if (ready.Result)
                {
                    calls.Running?.Invoke(held);
                }
            },
            (this, leg),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        _ = Task.Run(async () =>
        {
            using (slot)
            {
                try
                {
                    await sessions.RunAsync(leg, CancellationToken.None);
                }
#pragma warning disable CA1031 // A call's failure must not take down the host; the core logs its own reasons.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    LogRunFailed(_logger, callId, ex);
                }
                finally
                {
                    _live.TryRemove(new KeyValuePair<string, DirectCallLeg>(callId, leg));
                }
            }
        });
        return leg;
    }

    private CallPolicySummary Summary(string transport) => new()
    {
        Model = policy.Model,
        AudioFormat = transport == DirectCallLeg.WebRtc ? "webrtc" : "sip",
        TranscriptionModel = policy.TranscriptionModel,
        TurnDetection = policy.TurnDetection?.Type ?? "none",
        Detail = "direct call: audio runs between the caller and the model; the bridge holds the sideband and re-asserts the fields outside Browser:ClientMayChange",
    };

    [LoggerMessage(EventId = 1750, Level = LogLevel.Warning, Message = "OpenAI webhook refused: {Reason}")]
    private static partial void LogWebhookRefused(ILogger logger, string reason);

    [LoggerMessage(EventId = 1751, Level = LogLevel.Error, Message = "Direct call {CallId} failed outside the call core")]
    private static partial void LogRunFailed(ILogger logger, string callId, Exception exception);
}
