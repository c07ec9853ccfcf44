using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace VoiceBridge.Realtime.Protocol;

/// <summary><see cref="RealtimeEventTypes.InputAudioTranscriptionCompleted"/> (server event): Final transcript of user audio (asynchronous; may come before or after response events).</summary>
public sealed record InputAudioTranscriptionCompletedEvent : RealtimeEvent
{
    [JsonPropertyOrder(-2)]
    public override string Type => RealtimeEventTypes.InputAudioTranscriptionCompleted;

    public string? ItemId { get; init; }

    public int ContentIndex { get; init; }

    public string? Transcript { get; init; }

    public RealtimeUsage? Usage { get; init; }

    internal override JsonTypeInfo? JsonTypeInfo => RealtimeJsonContext.Default.InputAudioTranscriptionCompletedEvent;
}
