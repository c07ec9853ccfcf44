namespace VoiceBridge.Server.Ops;

/// <summary>
/// An opened call (group <c>call:{id}</c>): its transcript and timeline. A keyframe carries all of it (the most recent,
/// bounded); an update only the turns that changed and the timeline entries that are new.
/// </summary>
internal sealed record OpsCallDetail
{
    public required string Id { get; init; }

    public required string Instance { get; init; }

    /// <summary>Unix milliseconds.</summary>
    public required long At { get; init; }

    /// <summary>True: everything (replace what you have); false: changes only (merge by item id and sequence number).</summary>
    public required bool Keyframe { get; init; }

    public required IReadOnlyList<OpsTurnView> Turns { get; init; }

    public required IReadOnlyList<OpsTimelineEntry> Timeline { get; init; }
}
