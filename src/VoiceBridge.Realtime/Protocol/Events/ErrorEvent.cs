using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace VoiceBridge.Realtime.Protocol;

/// <summary><see cref="RealtimeEventTypes.Error"/> (server event): An error; error.event_id echoes the client event
/// that caused it (docs/protocols/openai-realtime.md#errors).</summary>
public sealed record ErrorEvent : RealtimeEvent
{
    [JsonPropertyOrder(-2)]
    public override string Type => RealtimeEventTypes.Error;

    public RealtimeErrorDetail? Error { get; init; }

    internal override JsonTypeInfo? JsonTypeInfo => RealtimeJsonContext.Default.ErrorEvent;
}
