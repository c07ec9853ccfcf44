using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace VoiceBridge.Realtime.Protocol;

/// <summary><see cref="RealtimeEventTypes.InputAudioBufferSpeechStarted"/> (server event): VAD heard speech (barge-in signal).</summary>
public sealed record SpeechStartedEvent : RealtimeEvent
{
    [JsonPropertyOrder(-2)]
    public override string Type => RealtimeEventTypes.InputAudioBufferSpeechStarted;

    public int AudioStartMs { get; init; }

    public string? ItemId { get; init; }

    internal override JsonTypeInfo? JsonTypeInfo => RealtimeJsonContext.Default.SpeechStartedEvent;
}
