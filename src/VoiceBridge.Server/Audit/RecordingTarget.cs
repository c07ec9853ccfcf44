namespace VoiceBridge.Server.Audit;

/// <summary>A recording being written: its name in the trail, and the stream its WAV goes to.</summary>
internal sealed record RecordingTarget(string Name, Stream Stream);
