namespace VoiceBridge.Server.Calls;

/// <summary>Answer of a control action: what was done, to which call.</summary>
internal sealed record ControlResult(string CallId, string Action, string State);
