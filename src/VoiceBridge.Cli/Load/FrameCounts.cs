namespace VoiceBridge.Cli.Load;

/// <summary>
/// Frames each way. Inbound: media frames the callers sent vs appends the upstream received. Outbound: audio deltas
/// the upstream sent vs deltas that reached the caller (each forwarded delta ends with one mark).
/// </summary>
public sealed record FrameCounts
{
    public long InboundSent { get; init; }

    public long InboundArrived { get; init; }

    public long InboundDropped { get; init; }

    public long OutboundDeltasSent { get; init; }

    public long OutboundDeltasArrived { get; init; }

    public long OutboundDropped { get; init; }

    /// <summary>20 ms media messages the callers received.</summary>
    public long OutboundMediaFrames { get; init; }
}
