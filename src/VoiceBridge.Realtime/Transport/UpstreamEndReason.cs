namespace VoiceBridge.Realtime.Transport;

/// <summary>The typed outcomes of connecting to and talking with an upstream.</summary>
public enum UpstreamEndReason
{
    /// <summary>We closed it (call ended, shutdown).</summary>
    ClosedByUs = 0,

    /// <summary>The upstream closed the session (close frame or end of stream).</summary>
    ClosedByPeer,

    /// <summary>TCP/TLS/WebSocket connect failed (refused, DNS, reset before the handshake completed).</summary>
    ConnectFailed,

    /// <summary>The connect did not complete within the configured timeout.</summary>
    ConnectTimeout,

    /// <summary>The handshake was answered with an HTTP error (401, 403, 429…; see <see cref="UpstreamEnd.HttpStatus"/>).</summary>
    Refused,

    /// <summary>The upstream sent something that is not a Realtime event (binary frame, invalid JSON, oversized).</summary>
    MalformedFrame,

    /// <summary>The connection broke mid-session without a close handshake, or stopped answering keep-alives.</summary>
    ConnectionLost,

    /// <summary>The caller's cancellation token fired.</summary>
    Cancelled,
}
