namespace VoiceBridge.Server.Calls;

/// <summary>One entry of <c>GET /calls</c>.</summary>
internal sealed record LiveCallSummary(string Id, string Transport, DateTimeOffset Started, string? Caller, string State);
