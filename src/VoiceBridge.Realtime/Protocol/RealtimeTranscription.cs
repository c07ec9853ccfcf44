namespace VoiceBridge.Realtime.Protocol;

/// <summary><c>audio.input.transcription</c>: asynchronous ASR of the caller's audio (off by default).</summary>
public sealed record RealtimeTranscription : RealtimeJsonObject
{
    public string? Model { get; init; }

    public string? Language { get; init; }

    public string? Prompt { get; init; }
}
