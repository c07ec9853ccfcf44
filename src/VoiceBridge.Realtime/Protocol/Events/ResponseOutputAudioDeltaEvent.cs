using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace VoiceBridge.Realtime.Protocol;

/// <summary><see cref="RealtimeEventTypes.ResponseOutputAudioDelta"/> (server event): A chunk of assistant audio (base64, output format). Per-frame: prefer RealtimeAudioFrames.</summary>
public sealed record ResponseOutputAudioDeltaEvent : RealtimeEvent
{
    [JsonPropertyOrder(-2)]
    public override string Type => RealtimeEventTypes.ResponseOutputAudioDelta;

    public string? ResponseId { get; init; }

    public string? ItemId { get; init; }

    public int OutputIndex { get; init; }

    public int ContentIndex { get; init; }

    public string? Delta { get; init; }

    internal override JsonTypeInfo? JsonTypeInfo => RealtimeJsonContext.Default.ResponseOutputAudioDeltaEvent;
}
