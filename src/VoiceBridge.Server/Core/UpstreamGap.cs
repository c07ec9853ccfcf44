using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Server.Core;

/// <summary>
/// One interruption of a call's upstream: why it was lost (or rotated), how long the caller was without an upstream,
/// what the bridge did, for the audit trail and the log.
/// </summary>
internal sealed record UpstreamGap
{
    /// <summary>Why the old session ended; <see cref="UpstreamEndReason.ClosedByUs"/> when rotated at the session limit.</summary>
    public required UpstreamEndReason Cause { get; init; }

    public required string Detail { get; init; }

    /// <summary>True when the call goes on with a new upstream session; false when the bridge gave up.</summary>
    public required bool Resumed { get; init; }

    public required int Attempts { get; init; }

    public required TimeSpan Duration { get; init; }

    /// <summary>Caller audio frames dropped while no upstream was there (not buffered: they would arrive stale).</summary>
    public required long DroppedAudioFrames { get; init; }

    /// <summary>Other client events dropped in the gap (truncate/cancel of the old session's items, key presses).</summary>
    public required long DroppedControlEvents { get; init; }

    /// <summary>Conversation turns re-sent to the new session as text items.</summary>
    public required int ReplayedTurns { get; init; }

    /// <summary>Whether the new session was asked to respond at once (the assistant had been cut off, or owed an answer).</summary>
    public required bool ResponseRequested { get; init; }
}
