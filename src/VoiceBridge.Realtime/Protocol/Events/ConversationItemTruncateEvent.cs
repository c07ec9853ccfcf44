using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace VoiceBridge.Realtime.Protocol;

/// <summary><see cref="RealtimeEventTypes.ConversationItemTruncate"/> (client event): Cuts an assistant item's audio (and transcript) at what the caller actually heard.</summary>
public sealed record ConversationItemTruncateEvent : RealtimeEvent
{
    [JsonPropertyOrder(-2)]
    public override string Type => RealtimeEventTypes.ConversationItemTruncate;

    public string? ItemId { get; init; }

    public int ContentIndex { get; init; }

    public int AudioEndMs { get; init; }

    internal override JsonTypeInfo? JsonTypeInfo => RealtimeJsonContext.Default.ConversationItemTruncateEvent;
}
