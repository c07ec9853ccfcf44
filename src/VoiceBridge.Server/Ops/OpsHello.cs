namespace VoiceBridge.Server.Ops;

/// <summary>The first message of a dashboard connection: who the viewer is and how this instance sends.</summary>
/// <param name="Role"><c>operator</c> (watch and act) or <c>viewer</c> (watch only).</param>
/// <param name="KeyId">The key's id as the audit trail names it (<c>key-</c> and 16 hex digits), never the key.</param>
/// <param name="Instance">The instance this connection is on (the one that can act on its own calls).</param>
/// <param name="UpdateIntervalMs">How often this instance sends updates (<c>Ops:UpdateIntervalMs</c>).</param>
/// <param name="ExpiresAt">When the session ends, Unix milliseconds (the connection is closed then).</param>
internal sealed record OpsHello(string Role, string KeyId, OpsInstance Instance, int UpdateIntervalMs, long ExpiresAt);
