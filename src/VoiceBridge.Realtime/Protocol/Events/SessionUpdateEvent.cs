using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace VoiceBridge.Realtime.Protocol;

/// <summary><see cref="RealtimeEventTypes.SessionUpdate"/> (client event): Sets the session configuration; only fields
/// present change (docs/protocols/openai-realtime.md#session-lifetime-and-limits).</summary>
public sealed record SessionUpdateEvent : RealtimeEvent
{
    [JsonPropertyOrder(-2)]
    public override string Type => RealtimeEventTypes.SessionUpdate;

    public RealtimeSession? Session { get; init; }

    internal override JsonTypeInfo? JsonTypeInfo => RealtimeJsonContext.Default.SessionUpdateEvent;
}
