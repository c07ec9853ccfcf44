namespace VoiceBridge.Server.Ops;

/// <summary>The answer to a login and to <c>GET /ops/session</c>: the role and key id, never the key.</summary>
internal sealed record OpsSessionInfo(string Role, string KeyId, long ExpiresAt);
