using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace VoiceBridge.Realtime.Protocol;

/// <summary><see cref="RealtimeEventTypes.ResponseDone"/> (server event): A response ended: status, status_details, usage and output items (always sent, also on cancel).</summary>
public sealed record ResponseDoneEvent : RealtimeEvent
{
    [JsonPropertyOrder(-2)]
    public override string Type => RealtimeEventTypes.ResponseDone;

    public RealtimeResponse? Response { get; init; }

    internal override JsonTypeInfo? JsonTypeInfo => RealtimeJsonContext.Default.ResponseDoneEvent;
}
