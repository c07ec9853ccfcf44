namespace VoiceBridge.Server.Twilio;

/// <summary>
/// How the bridge follows the caller's playback (<c>Twilio:MarkEveryFrames</c>, <c>Twilio:InterpolatePlayback</c>).
/// The default — one mark per delta, interpolated between echoes — truncated within 1 ms of what the caller heard in
/// the barge-in measurements (docs/operations.md#barge-in-precision) and sends no extra message; finer marks bound how
/// far an estimate can run ahead when the caller's playback stalls, at one message per mark.
/// </summary>
internal sealed record PlaybackSettings
{
    public static readonly PlaybackSettings Default = new();

    /// <summary>A mark after every this many 20 ms frames as well as after each delta; 0: after each delta only.</summary>
    public int MarkEveryFrames { get; init; }

    /// <summary>
    /// Between echoes, playback is taken to advance in real time from the last echo (bounded by the next mark);
    /// false: the caller is taken to have heard exactly up to the last echoed mark.
    /// </summary>
    public bool Interpolate { get; init; } = true;
}
