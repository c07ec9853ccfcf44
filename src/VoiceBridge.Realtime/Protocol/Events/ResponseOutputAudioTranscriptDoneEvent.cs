using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace VoiceBridge.Realtime.Protocol;

/// <summary><see cref="RealtimeEventTypes.ResponseOutputAudioTranscriptDone"/> (server event): The full transcript of the assistant audio.</summary>
public sealed record ResponseOutputAudioTranscriptDoneEvent : RealtimeEvent
{
    [JsonPropertyOrder(-2)]
    public override string Type => RealtimeEventTypes.ResponseOutputAudioTranscriptDone;

    public string? ResponseId { get; init; }

    public string? ItemId { get; init; }

    public int OutputIndex { get; init; }

    public int ContentIndex { get; init; }

    public string? Transcript { get; init; }

    internal override JsonTypeInfo? JsonTypeInfo => RealtimeJsonContext.Default.ResponseOutputAudioTranscriptDoneEvent;
}
