namespace VoiceBridge.Cli.Load;

/// <summary>Errors of one kind: how many, and the first one's detail.</summary>
public sealed record LoadError(string Kind, long Count, string Example);
