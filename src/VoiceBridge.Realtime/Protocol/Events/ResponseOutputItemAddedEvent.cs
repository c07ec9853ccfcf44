using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace VoiceBridge.Realtime.Protocol;

/// <summary><see cref="RealtimeEventTypes.ResponseOutputItemAdded"/> (server event): A response output item (message or function_call) started.</summary>
public sealed record ResponseOutputItemAddedEvent : RealtimeEvent
{
    [JsonPropertyOrder(-2)]
    public override string Type => RealtimeEventTypes.ResponseOutputItemAdded;

    public string? ResponseId { get; init; }

    public int OutputIndex { get; init; }

    public RealtimeItem? Item { get; init; }

    internal override JsonTypeInfo? JsonTypeInfo => RealtimeJsonContext.Default.ResponseOutputItemAddedEvent;
}
