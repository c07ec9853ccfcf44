using System.Text.Json.Serialization;

namespace VoiceBridge.Realtime.Protocol;

/// <summary><c>session.audio.input</c>: format, transcription and turn detection (noise_reduction is kept as extension data).</summary>
public sealed record RealtimeAudioInput : RealtimeJsonObject
{
    public RealtimeAudioFormat? Format { get; init; }

    /// <summary>Absent = unchanged, null = off (docs/protocols/openai-realtime.md#the-session-object).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    [JsonConverter(typeof(JsonOptionalConverter<RealtimeTranscription>))]
    public JsonOptional<RealtimeTranscription> Transcription { get; init; }

    /// <summary>Absent = unchanged, null = no VAD: the client commits and creates responses itself
    /// (docs/protocols/openai-realtime.md#turn-detection).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    [JsonConverter(typeof(JsonOptionalConverter<RealtimeTurnDetection>))]
    public JsonOptional<RealtimeTurnDetection> TurnDetection { get; init; }
}
