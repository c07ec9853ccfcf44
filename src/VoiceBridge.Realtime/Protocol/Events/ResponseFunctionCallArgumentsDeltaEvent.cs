using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace VoiceBridge.Realtime.Protocol;

/// <summary><see cref="RealtimeEventTypes.ResponseFunctionCallArgumentsDelta"/> (server event): A piece of a function call's JSON arguments.</summary>
public sealed record ResponseFunctionCallArgumentsDeltaEvent : RealtimeEvent
{
    [JsonPropertyOrder(-2)]
    public override string Type => RealtimeEventTypes.ResponseFunctionCallArgumentsDelta;

    public string? ResponseId { get; init; }

    public string? ItemId { get; init; }

    public int OutputIndex { get; init; }

    public string? CallId { get; init; }

    public string? Delta { get; init; }

    internal override JsonTypeInfo? JsonTypeInfo => RealtimeJsonContext.Default.ResponseFunctionCallArgumentsDeltaEvent;
}
