namespace VoiceBridge.Server.Calls;

/// <summary>Body of <c>POST /calls/outbound</c>.</summary>
internal sealed record OutboundRequest(string? To, string? From, string? Instructions);
