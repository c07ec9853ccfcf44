using System.Text.Json.Serialization;

namespace VoiceBridge.Realtime.Protocol;

/// <summary>The response object of <c>response.created</c>/<c>response.done</c> (metadata, max_output_tokens kept as extension data).</summary>
public sealed record RealtimeResponse : RealtimeJsonObject
{
    public const string InProgress = "in_progress";
    public const string Completed = "completed";
    public const string Cancelled = "cancelled";
    public const string Failed = "failed";
    public const string Incomplete = "incomplete";

    /// <summary>The <c>object</c> field ("realtime.item", "realtime.response", "realtime.session").</summary>
    [JsonPropertyName("object")]
    public string? ObjectType { get; init; }

    public string? Id { get; init; }

    /// <summary>in_progress | completed | cancelled | failed | incomplete.</summary>
    public string? Status { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public RealtimeStatusDetails? StatusDetails { get; init; }

    public IReadOnlyList<RealtimeItem>? Output { get; init; }

    public string? ConversationId { get; init; }

    public IReadOnlyList<string>? OutputModalities { get; init; }

    public RealtimeSessionAudio? Audio { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public RealtimeUsage? Usage { get; init; }
}
