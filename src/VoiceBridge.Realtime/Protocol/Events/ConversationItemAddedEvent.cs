using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace VoiceBridge.Realtime.Protocol;

/// <summary><see cref="RealtimeEventTypes.ConversationItemAdded"/> (server event): An item was added to the conversation (beta conversation.item.created reads as this).</summary>
public sealed record ConversationItemAddedEvent : RealtimeEvent
{
    [JsonPropertyOrder(-2)]
    public override string Type => RealtimeEventTypes.ConversationItemAdded;

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? PreviousItemId { get; init; }

    public RealtimeItem? Item { get; init; }

    internal override JsonTypeInfo? JsonTypeInfo => RealtimeJsonContext.Default.ConversationItemAddedEvent;
}
