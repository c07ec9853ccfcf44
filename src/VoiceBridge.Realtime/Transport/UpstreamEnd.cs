namespace VoiceBridge.Realtime.Transport;

/// <summary>Why an upstream connection attempt failed or an open session ended.</summary>
/// <param name="Reason">The kind of ending.</param>
/// <param name="Description">One human-readable line for the log (never a secret, never audio or transcript).</param>
/// <param name="HttpStatus">The HTTP status of a refused handshake (401, 403, 429…), when there was one.</param>
/// <param name="CloseStatus">The WebSocket close status the peer sent (for example 4000 for a retired beta shape).</param>
public sealed record UpstreamEnd(
    UpstreamEndReason Reason,
    string Description,
    int? HttpStatus = null,
    int? CloseStatus = null);
