using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace VoiceBridge.Realtime.Protocol;

/// <summary><see cref="RealtimeEventTypes.InputAudioBufferAppend"/> (client event): Appends base64 audio in the session input format. Per-frame: prefer RealtimeAudioFrames.</summary>
public sealed record InputAudioBufferAppendEvent : RealtimeEvent
{
    [JsonPropertyOrder(-2)]
    public override string Type => RealtimeEventTypes.InputAudioBufferAppend;

    public string? Audio { get; init; }

    internal override JsonTypeInfo? JsonTypeInfo => RealtimeJsonContext.Default.InputAudioBufferAppendEvent;
}
