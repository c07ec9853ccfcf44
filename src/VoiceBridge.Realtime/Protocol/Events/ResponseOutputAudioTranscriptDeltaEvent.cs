using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace VoiceBridge.Realtime.Protocol;

/// <summary><see cref="RealtimeEventTypes.ResponseOutputAudioTranscriptDelta"/> (server event): A piece of the transcript of the assistant audio.</summary>
public sealed record ResponseOutputAudioTranscriptDeltaEvent : RealtimeEvent
{
    [JsonPropertyOrder(-2)]
    public override string Type => RealtimeEventTypes.ResponseOutputAudioTranscriptDelta;

    public string? ResponseId { get; init; }

    public string? ItemId { get; init; }

    public int OutputIndex { get; init; }

    public int ContentIndex { get; init; }

    public string? Delta { get; init; }

    internal override JsonTypeInfo? JsonTypeInfo => RealtimeJsonContext.Default.ResponseOutputAudioTranscriptDeltaEvent;
}
