using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace VoiceBridge.Realtime.Protocol;

/// <summary><see cref="RealtimeEventTypes.OutputAudioBufferStopped"/> (server event): The server's output buffer drained: the response's audio has been played out (WebRTC and SIP only).</summary>
public sealed record OutputAudioBufferStoppedEvent : RealtimeEvent
{
    [JsonPropertyOrder(-2)]
    public override string Type => RealtimeEventTypes.OutputAudioBufferStopped;

    /// <summary>The response whose audio this is about.</summary>
    public string? ResponseId { get; init; }

    internal override JsonTypeInfo? JsonTypeInfo => RealtimeJsonContext.Default.OutputAudioBufferStoppedEvent;
}
