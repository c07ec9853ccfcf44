using System.Text.Json.Serialization;

namespace VoiceBridge.Realtime.Protocol;

/// <summary>
/// The GA session object (docs/protocols/openai-realtime.md#the-session-object). Modelled: what the bridge sets or
/// reads; everything else (max_output_tokens, truncation, tracing, prompt, reasoning…) survives in <see
/// cref="RealtimeJsonObject.ExtensionData"/>.
/// </summary>
public sealed record RealtimeSession : RealtimeJsonObject
{
    /// <summary><c>"realtime"</c> or <c>"transcription"</c>; required in GA.</summary>
    public string? Type { get; init; }

    /// <summary>The <c>object</c> field ("realtime.item", "realtime.response", "realtime.session").</summary>
    [JsonPropertyName("object")]
    public string? ObjectType { get; init; }

    public string? Id { get; init; }

    public string? Model { get; init; }

    public IReadOnlyList<string>? OutputModalities { get; init; }

    public string? Instructions { get; init; }

    public RealtimeSessionAudio? Audio { get; init; }

    public IReadOnlyList<RealtimeTool>? Tools { get; init; }

    public RealtimeToolChoice? ToolChoice { get; init; }
}
