using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Server.Core;

/// <summary>How an accepted call starts: its identity, the policy it runs with, and how to reach its upstream.</summary>
internal sealed record LegStart
{
    /// <summary>The call's id (CallSid, browser session id, the upstream's call id).</summary>
    public required string CallId { get; init; }

    /// <summary>The transport's stream id, when it has one (Twilio's StreamSid).</summary>
    public string? StreamId { get; init; }

    /// <summary>Who called, when known.</summary>
    public string? Caller { get; init; }

    /// <summary>The server policy's <c>session.update</c>, built anew for each upstream session (the first and every reconnect).</summary>
    public required Func<RealtimeMessage> SessionUpdate { get; init; }

    /// <summary>The policy as recorded in the audit and on the call's span.</summary>
    public required CallPolicySummary Policy { get; init; }

    /// <summary>Upstream audio bytes per caller audio byte (telemetry's byte accounting).</summary>
    public double InboundBytesRatio { get; init; } = 1;

    /// <summary>Another way to the upstream for this call (a sideband on a direct call's id); null: the configured one.</summary>
    public IRealtimeConnector? Connector { get; init; }

    /// <summary>
    /// The upstream session belongs to the call, not to the connection (a direct call's sideband): a lost connection is
    /// re-attached to the same session — policy re-asserted, nothing replayed, never rotated (see <see cref="ReconnectingUpstream"/>).
    /// </summary>
    public bool Reattach { get; init; }
}
