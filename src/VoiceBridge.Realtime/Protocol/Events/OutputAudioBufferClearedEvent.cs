using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace VoiceBridge.Realtime.Protocol;

/// <summary><see cref="RealtimeEventTypes.OutputAudioBufferCleared"/> (server event): The server's output buffer was cleared, by an interruption or a client's clear (WebRTC and SIP only).</summary>
public sealed record OutputAudioBufferClearedEvent : RealtimeEvent
{
    [JsonPropertyOrder(-2)]
    public override string Type => RealtimeEventTypes.OutputAudioBufferCleared;

    /// <summary>The response whose audio this is about.</summary>
    public string? ResponseId { get; init; }

    internal override JsonTypeInfo? JsonTypeInfo => RealtimeJsonContext.Default.OutputAudioBufferClearedEvent;
}
