namespace VoiceBridge.Realtime.Protocol;

/// <summary>Token usage of a response (or of an input transcription, where <see cref="Type"/> is "tokens").</summary>
public sealed record RealtimeUsage : RealtimeJsonObject
{
    public string? Type { get; init; }

    public int? TotalTokens { get; init; }

    public int? InputTokens { get; init; }

    public int? OutputTokens { get; init; }

    public RealtimeTokenDetails? InputTokenDetails { get; init; }

    public RealtimeTokenDetails? OutputTokenDetails { get; init; }
}
