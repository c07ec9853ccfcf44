using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace VoiceBridge.Realtime.Protocol;

/// <summary><see cref="RealtimeEventTypes.SessionUpdated"/> (server event): The full effective configuration after a session.update.</summary>
public sealed record SessionUpdatedEvent : RealtimeEvent
{
    [JsonPropertyOrder(-2)]
    public override string Type => RealtimeEventTypes.SessionUpdated;

    public RealtimeSession? Session { get; init; }

    internal override JsonTypeInfo? JsonTypeInfo => RealtimeJsonContext.Default.SessionUpdatedEvent;
}
