namespace VoiceBridge.Server.Security;

/// <summary>What checking a signed webhook found; anything but <see cref="Valid"/> is refused, logged once and counted.</summary>
internal enum WebhookCheckStatus
{
    Valid = 0,

    /// <summary>No secret is configured (<c>Upstream:WebhookSecret</c>): no webhook can be trusted.</summary>
    NoSecret,

    /// <summary>A <c>webhook-id</c>, <c>webhook-timestamp</c> or <c>webhook-signature</c> header is missing or malformed.</summary>
    MissingHeaders,

    /// <summary>No <c>v1</c> signature matches the body.</summary>
    BadSignature,

    /// <summary>The timestamp is more than the tolerance away from now (old, or from the future).</summary>
    Stale,

    /// <summary>This <c>webhook-id</c> was already accepted.</summary>
    Replayed,
}
