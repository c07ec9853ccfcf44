namespace VoiceBridge.Server.Core;

/// <summary>One live call in the <see cref="ICallDirectory"/>: its id, who owns it, and what <c>GET /calls</c> shows of it.</summary>
internal sealed record DirectoryEntry
{
    public required string CallId { get; init; }

    /// <summary>The instance whose process holds the call's sockets.</summary>
    public required string Instance { get; init; }

    public required string Transport { get; init; }

    public required DateTimeOffset Started { get; init; }

    public string? Caller { get; init; }

    /// <summary>The call's state when the owner last wrote it (<see cref="ILiveCall.State"/>; refreshed with the entry).</summary>
    public required string State { get; init; }
}
