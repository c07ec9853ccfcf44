using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace VoiceBridge.Realtime.Protocol;

/// <summary><see cref="RealtimeEventTypes.OutputAudioBufferStarted"/> (server event): The server began playing a response's audio to the caller (WebRTC and SIP only).</summary>
public sealed record OutputAudioBufferStartedEvent : RealtimeEvent
{
    [JsonPropertyOrder(-2)]
    public override string Type => RealtimeEventTypes.OutputAudioBufferStarted;

    /// <summary>The response whose audio this is about.</summary>
    public string? ResponseId { get; init; }

    internal override JsonTypeInfo? JsonTypeInfo => RealtimeJsonContext.Default.OutputAudioBufferStartedEvent;
}
