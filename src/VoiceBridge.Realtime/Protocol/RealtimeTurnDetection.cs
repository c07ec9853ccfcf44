namespace VoiceBridge.Realtime.Protocol;

/// <summary><c>audio.input.turn_detection</c>: <c>server_vad</c> or <c>semantic_vad</c>
/// (docs/protocols/openai-realtime.md#turn-detection; idle_timeout_ms kept as extension data).</summary>
public sealed record RealtimeTurnDetection : RealtimeJsonObject
{
    public const string ServerVad = "server_vad";
    public const string SemanticVad = "semantic_vad";

    public string? Type { get; init; }

    /// <summary>server_vad: 0–1, default 0.5.</summary>
    public double? Threshold { get; init; }

    /// <summary>server_vad: default 300.</summary>
    public int? PrefixPaddingMs { get; init; }

    /// <summary>server_vad: default 500.</summary>
    public int? SilenceDurationMs { get; init; }

    /// <summary>semantic_vad: low | medium | high | auto.</summary>
    public string? Eagerness { get; init; }

    public bool? CreateResponse { get; init; }

    public bool? InterruptResponse { get; init; }
}
