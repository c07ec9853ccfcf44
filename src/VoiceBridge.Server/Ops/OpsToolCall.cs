namespace VoiceBridge.Server.Ops;

/// <summary>A finished tool call as the dashboard shows it: name, how long it ran, how it ended (never its arguments or output).</summary>
/// <param name="Name">The tool's name.</param>
/// <param name="Ms">How long it ran.</param>
/// <param name="Outcome"><c>succeeded</c>, <c>failed</c> or <c>abandoned</c>.</param>
internal sealed record OpsToolCall(string Name, int Ms, string Outcome);
