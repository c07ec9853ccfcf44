namespace VoiceBridge.Server.Calls;

/// <summary>Body of <c>POST /calls/{id}/say</c>.</summary>
internal sealed record SayRequest(string? Text);
