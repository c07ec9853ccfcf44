namespace VoiceBridge.Server.Ops;

/// <summary>
/// One call as a row of the dashboard's table: what a viewer needs to draw it, nothing it must not see (the caller's
/// number is masked; no text, no key, no token). Sent whenever it changed (coalesced) and again in every keyframe.
/// </summary>
internal sealed record OpsCallRow
{
    /// <summary>The call's id (CallSid, browser session id).</summary>
    public required string Id { get; init; }

    /// <summary>The instance that holds the call (its id in <see cref="OpsInstance.Id"/>): only that one can act on it.</summary>
    public required string Instance { get; init; }

    /// <summary><c>twilio</c> (phone), <c>browser</c>, ….</summary>
    public required string Transport { get; init; }

    /// <summary>Who called, partly masked (<see cref="CallerMask"/>); null when unknown (browser calls).</summary>
    public string? Caller { get; init; }

    /// <summary>When the call started, Unix milliseconds (the page counts its duration).</summary>
    public required long StartedAt { get; init; }

    /// <summary><c>live</c>, <c>ending</c>, <c>transferring</c>, <c>transferred</c>, <c>ended</c>.</summary>
    public required string State { get; init; }

    /// <summary>Who is speaking now: <c>caller</c>, <c>assistant</c>, or null (nobody).</summary>
    public string? Speaking { get; init; }

    public string? Provider { get; init; }

    public string? Model { get; init; }

    /// <summary>Turns answered so far (a turn: the caller spoke, the assistant's answer began to play).</summary>
    public int Turns { get; init; }

    /// <summary>First-audio latency of the most recent turns in milliseconds, oldest first (the page colours them against the SLO).</summary>
    public required IReadOnlyList<int> Latencies { get; init; }

    public int BargeIns { get; init; }

    public int ToolCalls { get; init; }

    public int ToolsRunning { get; init; }

    public OpsToolCall? LastTool { get; init; }

    /// <summary>Input refused and audio dropped (not the audio a barge-in discards on purpose).</summary>
    public long Drops { get; init; }

    /// <summary>Upstream sessions lost and resumed.</summary>
    public int Reconnects { get; init; }

    /// <summary>Upstream error events and failed upstream connects.</summary>
    public int Errors { get; init; }

    /// <summary>When the call ended, Unix milliseconds; null while it lives.</summary>
    public long? EndedAt { get; init; }

    /// <summary>Why it ended (<c>caller_hung_up</c>, <c>ended_by_bridge</c>, … as in the audit trail and metrics).</summary>
    public string? EndReason { get; init; }

    /// <summary>When the first change this row carries happened, Unix milliseconds (update latency = arrival − this).</summary>
    public long ChangedAt { get; init; }
}
