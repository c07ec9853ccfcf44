using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace VoiceBridge.Realtime.Protocol;

/// <summary><see cref="RealtimeEventTypes.ResponseOutputAudioDone"/> (server event): The assistant audio of a content part is complete.</summary>
public sealed record ResponseOutputAudioDoneEvent : RealtimeEvent
{
    [JsonPropertyOrder(-2)]
    public override string Type => RealtimeEventTypes.ResponseOutputAudioDone;

    public string? ResponseId { get; init; }

    public string? ItemId { get; init; }

    public int OutputIndex { get; init; }

    public int ContentIndex { get; init; }

    internal override JsonTypeInfo? JsonTypeInfo => RealtimeJsonContext.Default.ResponseOutputAudioDoneEvent;
}
