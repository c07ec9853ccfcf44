namespace VoiceBridge.Server.Calls;

/// <summary>A control action as the audit trail records it: what was asked, by which admin key (its id, never the key).</summary>
internal sealed record ControlAction(string Action, string AdminKeyId, string? Detail);
