using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace VoiceBridge.Realtime.Protocol;

/// <summary><see cref="RealtimeEventTypes.InputAudioBufferCommitted"/> (server event): The input buffer became a user item.</summary>
public sealed record InputAudioBufferCommittedEvent : RealtimeEvent
{
    [JsonPropertyOrder(-2)]
    public override string Type => RealtimeEventTypes.InputAudioBufferCommitted;

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? PreviousItemId { get; init; }

    public string? ItemId { get; init; }

    internal override JsonTypeInfo? JsonTypeInfo => RealtimeJsonContext.Default.InputAudioBufferCommittedEvent;
}
