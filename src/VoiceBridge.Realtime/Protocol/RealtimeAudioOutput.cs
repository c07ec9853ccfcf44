namespace VoiceBridge.Realtime.Protocol;

/// <summary><c>session.audio.output</c>: format and voice (speed is kept as extension data).</summary>
public sealed record RealtimeAudioOutput : RealtimeJsonObject
{
    public RealtimeAudioFormat? Format { get; init; }

    public RealtimeVoice? Voice { get; init; }
}
