namespace VoiceBridge.Realtime.Protocol;

/// <summary>Token counts by modality (cached_tokens_details kept as extension data).</summary>
public sealed record RealtimeTokenDetails : RealtimeJsonObject
{
    public int? TextTokens { get; init; }

    public int? AudioTokens { get; init; }

    public int? ImageTokens { get; init; }

    public int? CachedTokens { get; init; }
}
