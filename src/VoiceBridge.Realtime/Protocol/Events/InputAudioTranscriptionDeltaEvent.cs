using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace VoiceBridge.Realtime.Protocol;

/// <summary><see cref="RealtimeEventTypes.InputAudioTranscriptionDelta"/> (server event): Partial transcript of user audio (asynchronous).</summary>
public sealed record InputAudioTranscriptionDeltaEvent : RealtimeEvent
{
    [JsonPropertyOrder(-2)]
    public override string Type => RealtimeEventTypes.InputAudioTranscriptionDelta;

    public string? ItemId { get; init; }

    public int ContentIndex { get; init; }

    public string? Delta { get; init; }

    internal override JsonTypeInfo? JsonTypeInfo => RealtimeJsonContext.Default.InputAudioTranscriptionDeltaEvent;
}
