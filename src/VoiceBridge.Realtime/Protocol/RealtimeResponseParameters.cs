namespace VoiceBridge.Realtime.Protocol;

/// <summary>The optional <c>response</c> of <c>response.create</c> (input, metadata, prompt… kept as extension data).</summary>
public sealed record RealtimeResponseParameters : RealtimeJsonObject
{
    public string? Instructions { get; init; }

    public IReadOnlyList<string>? OutputModalities { get; init; }

    public IReadOnlyList<RealtimeTool>? Tools { get; init; }

    public RealtimeToolChoice? ToolChoice { get; init; }

    /// <summary><c>"auto"</c> (default) or <c>"none"</c> (out-of-band response).</summary>
    public string? Conversation { get; init; }
}
