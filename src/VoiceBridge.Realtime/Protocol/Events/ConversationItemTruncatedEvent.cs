using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace VoiceBridge.Realtime.Protocol;

/// <summary><see cref="RealtimeEventTypes.ConversationItemTruncated"/> (server event): An assistant item was truncated.</summary>
public sealed record ConversationItemTruncatedEvent : RealtimeEvent
{
    [JsonPropertyOrder(-2)]
    public override string Type => RealtimeEventTypes.ConversationItemTruncated;

    public string? ItemId { get; init; }

    public int ContentIndex { get; init; }

    public int AudioEndMs { get; init; }

    internal override JsonTypeInfo? JsonTypeInfo => RealtimeJsonContext.Default.ConversationItemTruncatedEvent;
}
