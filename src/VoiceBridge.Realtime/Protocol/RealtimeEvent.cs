using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace VoiceBridge.Realtime.Protocol;

/// <summary>
/// A Realtime client or server event. <see cref="Type"/> is always the GA name: a beta name on the wire is read as
/// its GA record and written back with the GA name. Parse with <see cref="RealtimeEventSerializer"/>.
/// </summary>
public abstract record RealtimeEvent : RealtimeJsonObject
{
    /// <summary>The event's <c>type</c> string.</summary>
    [JsonPropertyOrder(-2)]
    public abstract string Type { get; }

    [JsonPropertyOrder(-1)]
    public string? EventId { get; init; }

    /// <summary>The source-generated metadata for the concrete record (null for unknown events, written raw).</summary>
    internal abstract JsonTypeInfo? JsonTypeInfo { get; }
}
