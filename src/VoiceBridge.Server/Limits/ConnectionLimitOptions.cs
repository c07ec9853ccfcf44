using System.ComponentModel.DataAnnotations;

namespace VoiceBridge.Server.Limits;

/// <summary>
/// Configuration section <c>Session:Connections</c>: how many TCP connections Kestrel holds, and how long one that sends
/// nothing may stay. Unset caps follow <c>Session:MaxConcurrentCalls</c>. <c>Kestrel:Limits:*</c>, when set, still wins.
/// </summary>
internal sealed class ConnectionLimitOptions
{
    public const string SectionName = "Session:Connections";

    /// <summary>
    /// Open connections of every kind. Default 2 × <c>Session:MaxConcurrentCalls</c> + 100: each call holds one socket,
    /// and webhooks, client-secret mints, probes and the admin API need room beside them. Over the cap Kestrel closes
    /// a new connection at once.
    /// </summary>
    [Range(1, 10_000_000)]
    public int? MaxConnections { get; set; }

    /// <summary>
    /// WebSocket (upgraded) connections. Default <c>Session:MaxConcurrentCalls</c>: every upgrade holds a call slot taken
    /// before it is accepted, so this is the backstop behind the admission check, not a second policy.
    /// </summary>
    [Range(1, 10_000_000)]
    public int? MaxUpgradedConnections { get; set; }

    /// <summary>
    /// Seconds a connection may be idle, including one that never sends its first byte (Kestrel's keep-alive timeout
    /// governs that wait; the request-headers timeout starts only once a byte arrived). Twilio and SDKs send their
    /// request the moment they connect.
    /// </summary>
    [Range(1, 600)]
    public int IdleTimeoutSeconds { get; set; } = 10;

    public int MaxConnectionsFor(int maxConcurrentCalls) => MaxConnections ?? (2 * maxConcurrentCalls) + 100;

    public int MaxUpgradedConnectionsFor(int maxConcurrentCalls) => MaxUpgradedConnections ?? maxConcurrentCalls;
}
