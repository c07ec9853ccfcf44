using System.Net.WebSockets;

namespace VoiceBridge.Cli.Call;

/// <summary>What happened on one fake Twilio call: its ending, the counters and what the caller heard.</summary>
public sealed record FakeTwilioCallResult
{
    public required FakeTwilioCallOutcome Outcome { get; init; }

    /// <summary>One line saying why, for people.</summary>
    public required string Detail { get; init; }

    public required string CallSid { get; init; }

    public string? StreamSid { get; init; }

    /// <summary>The webhook's HTTP status, or the upgrade's when the stream was refused.</summary>
    public int? HttpStatus { get; init; }

    /// <summary>The close status the bridge sent, when it sent one.</summary>
    public WebSocketCloseStatus? CloseStatus { get; init; }

    public string? CloseDescription { get; init; }

    /// <summary>Inbound <c>media</c> frames sent (caller audio plus tail).</summary>
    public long FramesSent { get; init; }

    /// <summary><c>media</c> messages received from the bridge and their μ-law bytes.</summary>
    public long MediaReceived { get; init; }

    public long BytesReceived { get; init; }

    /// <summary>Marks received from the bridge, and marks echoed back (played or cleared).</summary>
    public long MarksReceived { get; init; }

    public long MarksEchoed { get; init; }

    public long Clears { get; init; }

    /// <summary>Queued audio a <c>clear</c> dropped before it played, in bytes (8 per ms).</summary>
    public long BytesCleared { get; init; }

    /// <summary>Messages from the bridge that were not media, mark or clear (or did not parse).</summary>
    public long UnknownMessages { get; init; }

    /// <summary>
    /// Times playback started from an empty queue. One per reply when audio arrives in time; more mean the queue ran
    /// dry mid-reply (the caller heard a gap).
    /// </summary>
    public long PlayoutStarts { get; init; }

    /// <summary>Stream time (since <c>start</c>) when the first reply audio arrived.</summary>
    public TimeSpan? FirstMediaAt { get; init; }

    /// <summary>From the webhook request to the end.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>
    /// What the caller heard, 8 kHz μ-law, time-aligned with the stream: byte k was played at k/8 ms after
    /// <c>start</c> (silence 0xFF when nothing was queued). Empty when not recorded.
    /// </summary>
    public ReadOnlyMemory<byte> Heard { get; init; }

    /// <summary>
    /// Every media payload the bridge sent, 8 kHz μ-law, in arrival order: what the caller's player was given, apart
    /// from when it played. <see cref="Heard"/> is the same bytes on the playout clock, with silence where the queue
    /// ran dry and nothing of what was still queued at the hang-up. Recorded with <see cref="Heard"/>.
    /// </summary>
    public ReadOnlyMemory<byte> Received { get; init; }
}
