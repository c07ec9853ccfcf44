using System.Text.Json.Serialization.Metadata;

namespace VoiceBridge.Realtime.Protocol;

/// <summary>
/// An event whose <c>type</c> the bridge does not model. It keeps the frame's exact bytes and is written back
/// byte-identical, so newer events are relayed and audited rather than dropped.
/// </summary>
public sealed record UnknownRealtimeEvent : RealtimeEvent
{
    private readonly byte[] _utf8Json;

    public UnknownRealtimeEvent(string type, ReadOnlySpan<byte> utf8Json)
    {
        ArgumentNullException.ThrowIfNull(type);
        Type = type;
        _utf8Json = utf8Json.ToArray();
    }

    /// <summary>The type string as it appeared on the wire (empty when the frame had none).</summary>
    public override string Type { get; }

    /// <summary>The original frame.</summary>
    public ReadOnlyMemory<byte> Utf8Json => _utf8Json;

    internal override JsonTypeInfo? JsonTypeInfo => null;

    public bool Equals(UnknownRealtimeEvent? other) =>
        other is not null && Type == other.Type && _utf8Json.AsSpan().SequenceEqual(other._utf8Json);

    public override int GetHashCode() => HashCode.Combine(Type, _utf8Json.Length);
}
