using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace VoiceBridge.Realtime.Protocol;

/// <summary><see cref="RealtimeEventTypes.InputAudioTranscriptionFailed"/> (server event): Transcription of user audio failed.</summary>
public sealed record InputAudioTranscriptionFailedEvent : RealtimeEvent
{
    [JsonPropertyOrder(-2)]
    public override string Type => RealtimeEventTypes.InputAudioTranscriptionFailed;

    public string? ItemId { get; init; }

    public int ContentIndex { get; init; }

    public RealtimeErrorDetail? Error { get; init; }

    internal override JsonTypeInfo? JsonTypeInfo => RealtimeJsonContext.Default.InputAudioTranscriptionFailedEvent;
}
