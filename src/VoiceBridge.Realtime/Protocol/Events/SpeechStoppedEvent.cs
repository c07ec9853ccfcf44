using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace VoiceBridge.Realtime.Protocol;

/// <summary><see cref="RealtimeEventTypes.InputAudioBufferSpeechStopped"/> (server event): VAD heard the end of speech.</summary>
public sealed record SpeechStoppedEvent : RealtimeEvent
{
    [JsonPropertyOrder(-2)]
    public override string Type => RealtimeEventTypes.InputAudioBufferSpeechStopped;

    public int AudioEndMs { get; init; }

    public string? ItemId { get; init; }

    internal override JsonTypeInfo? JsonTypeInfo => RealtimeJsonContext.Default.SpeechStoppedEvent;
}
