namespace VoiceBridge.Realtime.Protocol;

/// <summary><c>session.audio</c> (and <c>response.audio</c>, which only has <c>output</c>).</summary>
public sealed record RealtimeSessionAudio : RealtimeJsonObject
{
    public RealtimeAudioInput? Input { get; init; }

    public RealtimeAudioOutput? Output { get; init; }
}
