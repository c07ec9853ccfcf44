namespace VoiceBridge.Server.Ops;

/// <summary>
/// What one instance tells every viewer (group <c>calls</c>), at most once per <c>Ops:UpdateIntervalMs</c>: the rows of
/// the calls that changed, its latest chart point and readiness. A keyframe carries every live and recently ended call
/// and the charts' history: a viewer replaces what it holds for this instance with it. Instances that share a backplane
/// each send their own, so a page shows every instance's calls from messages alone.
/// </summary>
internal sealed record OpsCallsUpdate
{
    public required OpsInstance Instance { get; init; }

    /// <summary>Unix milliseconds.</summary>
    public required long At { get; init; }

    public required bool Keyframe { get; init; }

    /// <summary>The instance sends an update or a keyframe at least this often (a page forgets an instance silent for three of these).</summary>
    public required int KeyframeMs { get; init; }

    public required IReadOnlyList<OpsCallRow> Rows { get; init; }

    /// <summary>The newest chart point, when one was taken since the last message.</summary>
    public OpsSample? Sample { get; init; }

    /// <summary>Readiness and its checks, with each new sample.</summary>
    public IReadOnlyList<OpsCheck>? Checks { get; init; }

    /// <summary>Keyframes only: the chart points of the last <c>Ops:HistoryMinutes</c>, oldest first.</summary>
    public IReadOnlyList<OpsSample>? History { get; init; }
}
