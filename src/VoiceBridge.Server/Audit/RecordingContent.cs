namespace VoiceBridge.Server.Audit;

/// <summary>A stored recording to serve: a file on this instance's disk, or the WAV's bytes read from a shared store.</summary>
internal sealed record RecordingContent(string? Path, byte[]? Bytes);
