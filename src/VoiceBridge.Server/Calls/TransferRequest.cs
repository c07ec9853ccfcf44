namespace VoiceBridge.Server.Calls;

/// <summary>Body of <c>POST /calls/{id}/transfer</c>; <c>to</c> defaults to <c>Tools:TransferNumber</c>.</summary>
internal sealed record TransferRequest(string? To);
