namespace VoiceBridge.Server.Ops;

/// <summary>The body of <c>POST /ops/login</c>.</summary>
internal sealed record OpsLoginRequest(string? Key);
