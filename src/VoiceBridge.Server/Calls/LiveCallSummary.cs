namespace VoiceBridge.Server.Calls;

/// <summary>One entry of <c>GET /calls</c>; <paramref name="Instance"/> names the owner when several instances run (<c>Cluster:Redis</c>).</summary>
internal sealed record LiveCallSummary(string Id, string Transport, DateTimeOffset Started, string? Caller, string State, string? Instance = null);
