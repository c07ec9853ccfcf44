using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace VoiceBridge.Realtime.Protocol;

/// <summary><see cref="RealtimeEventTypes.ResponseOutputItemDone"/> (server event): A response output item is final.</summary>
public sealed record ResponseOutputItemDoneEvent : RealtimeEvent
{
    [JsonPropertyOrder(-2)]
    public override string Type => RealtimeEventTypes.ResponseOutputItemDone;

    public string? ResponseId { get; init; }

    public int OutputIndex { get; init; }

    public RealtimeItem? Item { get; init; }

    internal override JsonTypeInfo? JsonTypeInfo => RealtimeJsonContext.Default.ResponseOutputItemDoneEvent;
}
