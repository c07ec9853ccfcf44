using System.Net.WebSockets;

namespace VoiceBridge.Server.Core;

/// <summary>
/// The one close-status policy: the WebSocket close a caller gets for each end reason, whatever its leg, so the same cause
/// reads the same to every client (RFC 6455 §7.4.1: 1008 for a policy the caller broke, 1009 for size, 1011 for a
/// failure on our side or the upstream's, 1001 for a server going away).
/// </summary>
internal static class CallClose
{
    public static (WebSocketCloseStatus Status, string Description) For(CallEndReason reason) => reason switch
    {
        CallEndReason.PolicyViolation => (WebSocketCloseStatus.PolicyViolation, "policy violation"),
        CallEndReason.CallerFlooding => (WebSocketCloseStatus.PolicyViolation, "too many refused messages"),
        CallEndReason.AuditBudget => (WebSocketCloseStatus.PolicyViolation, "audit budget spent"),
        CallEndReason.CallerNotReading => (WebSocketCloseStatus.PolicyViolation, "caller not reading"),
        CallEndReason.MessageTooBig => (WebSocketCloseStatus.MessageTooBig, "message too big"),
        CallEndReason.UpstreamConnectFailed or CallEndReason.UpstreamClosed => (WebSocketCloseStatus.InternalServerError, "upstream unavailable"),
        CallEndReason.InternalError or CallEndReason.AuditBehind => (WebSocketCloseStatus.InternalServerError, "internal error"),
        CallEndReason.ServerShutdown => (WebSocketCloseStatus.EndpointUnavailable, "server shutting down"),
        CallEndReason.EndedByBridge => (WebSocketCloseStatus.NormalClosure, "call ended by the bridge"),
        _ => (WebSocketCloseStatus.NormalClosure, "call ended"),
    };
}
