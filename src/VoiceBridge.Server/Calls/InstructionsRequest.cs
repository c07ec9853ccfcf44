namespace VoiceBridge.Server.Calls;

/// <summary>Body of <c>POST /calls/{id}/instructions</c>.</summary>
internal sealed record InstructionsRequest(string? Instructions);
