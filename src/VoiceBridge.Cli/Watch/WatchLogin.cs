namespace VoiceBridge.Cli.Watch;

/// <summary>The body of <c>POST /ops/login</c>.</summary>
internal sealed record WatchLogin(string Key);
