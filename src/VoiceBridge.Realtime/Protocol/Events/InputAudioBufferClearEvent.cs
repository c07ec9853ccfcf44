using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace VoiceBridge.Realtime.Protocol;

/// <summary><see cref="RealtimeEventTypes.InputAudioBufferClear"/> (client event): Drops the uncommitted input audio.</summary>
public sealed record InputAudioBufferClearEvent : RealtimeEvent
{
    [JsonPropertyOrder(-2)]
    public override string Type => RealtimeEventTypes.InputAudioBufferClear;

    internal override JsonTypeInfo? JsonTypeInfo => RealtimeJsonContext.Default.InputAudioBufferClearEvent;
}
