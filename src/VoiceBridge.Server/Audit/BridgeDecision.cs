namespace VoiceBridge.Server.Audit;

/// <summary>
/// A decision of the bridge itself, recorded with direction <c>bridge</c>: its type says which
/// (<see cref="CallRecorder"/> constants); only the fields that decision has are set.
/// </summary>
internal sealed record BridgeDecision
{
    public string? Reason { get; init; }

    public string? Detail { get; init; }

    /// <summary>Drop summaries: how many messages were refused or discarded for <see cref="Reason"/> since the last summary.</summary>
    public long? Count { get; init; }

    /// <summary>Drop summaries: their bytes (the messages themselves are never written).</summary>
    public long? Bytes { get; init; }

    /// <summary>Control actions: which admin key asked (<c>key-</c> + 8 bytes of its SHA-256), never the key itself.</summary>
    public string? AdminKeyId { get; init; }

    public string? ItemId { get; init; }

    public int? AudioEndMs { get; init; }

    public bool? Clear { get; init; }

    public string? InterruptedResponseId { get; init; }

    public string? Model { get; init; }

    public string? AudioFormat { get; init; }

    public string? TranscriptionModel { get; init; }

    public string? TurnDetection { get; init; }
}
