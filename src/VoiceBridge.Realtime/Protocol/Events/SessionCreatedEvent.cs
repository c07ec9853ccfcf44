using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace VoiceBridge.Realtime.Protocol;

/// <summary><see cref="RealtimeEventTypes.SessionCreated"/> (server event): First event on a new connection, with the default configuration.</summary>
public sealed record SessionCreatedEvent : RealtimeEvent
{
    [JsonPropertyOrder(-2)]
    public override string Type => RealtimeEventTypes.SessionCreated;

    public RealtimeSession? Session { get; init; }

    internal override JsonTypeInfo? JsonTypeInfo => RealtimeJsonContext.Default.SessionCreatedEvent;
}
