using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace VoiceBridge.Realtime.Protocol;

/// <summary><see cref="RealtimeEventTypes.ConversationItemCreate"/> (client event): Adds an item (user text, function_call_output…).</summary>
public sealed record ConversationItemCreateEvent : RealtimeEvent
{
    [JsonPropertyOrder(-2)]
    public override string Type => RealtimeEventTypes.ConversationItemCreate;

    public string? PreviousItemId { get; init; }

    public RealtimeItem? Item { get; init; }

    internal override JsonTypeInfo? JsonTypeInfo => RealtimeJsonContext.Default.ConversationItemCreateEvent;
}
