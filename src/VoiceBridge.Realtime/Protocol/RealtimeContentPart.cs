using System.Text.Json.Serialization;

namespace VoiceBridge.Realtime.Protocol;

/// <summary>A content part: input_text / input_audio (user), output_text / output_audio (assistant), or a response part (audio/text).</summary>
public sealed record RealtimeContentPart : RealtimeJsonObject
{
    public const string InputTextType = "input_text";
    public const string InputAudioType = "input_audio";
    public const string OutputAudioType = "output_audio";
    public const string OutputTextType = "output_text";

    public string? Type { get; init; }

    public string? Text { get; init; }

    /// <summary>Base64 audio (input_audio in conversation.item.create).</summary>
    public string? Audio { get; init; }

    /// <summary>The server writes <c>"transcript": null</c> on user audio until transcription is done.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    [JsonConverter(typeof(JsonOptionalConverter<string>))]
    public JsonOptional<string> Transcript { get; init; }
}
