using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace VoiceBridge.Realtime.Protocol;

/// <summary><see cref="RealtimeEventTypes.InputAudioBufferCleared"/> (server event): The input buffer was cleared.</summary>
public sealed record InputAudioBufferClearedEvent : RealtimeEvent
{
    [JsonPropertyOrder(-2)]
    public override string Type => RealtimeEventTypes.InputAudioBufferCleared;

    internal override JsonTypeInfo? JsonTypeInfo => RealtimeJsonContext.Default.InputAudioBufferClearedEvent;
}
