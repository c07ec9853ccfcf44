using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace VoiceBridge.Realtime.Protocol;

/// <summary><see cref="RealtimeEventTypes.ConversationItemDone"/> (server event): An item is final (without audio bytes).</summary>
public sealed record ConversationItemDoneEvent : RealtimeEvent
{
    [JsonPropertyOrder(-2)]
    public override string Type => RealtimeEventTypes.ConversationItemDone;

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? PreviousItemId { get; init; }

    public RealtimeItem? Item { get; init; }

    internal override JsonTypeInfo? JsonTypeInfo => RealtimeJsonContext.Default.ConversationItemDoneEvent;
}
