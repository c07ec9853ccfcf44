namespace VoiceBridge.Server.Security;

/// <summary>The outcome of checking a client token presented to <c>/v1/realtime</c>.</summary>
internal enum ClientTokenStatus
{
    Valid = 0,
    Missing,
    Malformed,
    BadSignature,
    Expired,
    Replayed,

    /// <summary>The shared replay set could not be asked (<c>Cluster:Redis</c> unreachable): refused, not spent.</summary>
    Unavailable,
}
