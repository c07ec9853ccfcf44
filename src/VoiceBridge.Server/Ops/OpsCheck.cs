namespace VoiceBridge.Server.Ops;

/// <summary>One readiness check as <c>/readyz</c> runs it (<c>upstream</c>, <c>audit</c>, <c>draining</c>).</summary>
/// <param name="Name">The check's name.</param>
/// <param name="Status"><c>Healthy</c>, <c>Degraded</c> or <c>Unhealthy</c>.</param>
/// <param name="Description">Why not healthy, when it says.</param>
internal sealed record OpsCheck(string Name, string Status, string? Description);
