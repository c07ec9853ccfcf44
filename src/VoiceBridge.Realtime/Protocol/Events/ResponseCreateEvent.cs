using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace VoiceBridge.Realtime.Protocol;

/// <summary><see cref="RealtimeEventTypes.ResponseCreate"/> (client event): Starts a model response.</summary>
public sealed record ResponseCreateEvent : RealtimeEvent
{
    [JsonPropertyOrder(-2)]
    public override string Type => RealtimeEventTypes.ResponseCreate;

    public RealtimeResponseParameters? Response { get; init; }

    internal override JsonTypeInfo? JsonTypeInfo => RealtimeJsonContext.Default.ResponseCreateEvent;
}
