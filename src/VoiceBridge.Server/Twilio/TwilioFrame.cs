namespace VoiceBridge.Server.Twilio;

/// <summary>
/// One parsed message from Twilio. Spans point into the received frame (ids, names) or into the caller's audio
/// buffer (decoded μ-law), so reading a <c>media</c> frame allocates nothing.
/// </summary>
internal readonly ref struct TwilioFrame
{
    public TwilioEvent Event { get; init; }

    /// <summary>Raw (still JSON-escaped, which Twilio ids never need) top-level <c>streamSid</c>.</summary>
    public ReadOnlySpan<byte> StreamSid { get; init; }

    /// <summary><c>media.timestamp</c> in ms since stream start, or -1 when absent or not a number.</summary>
    public long TimestampMs { get; init; }

    /// <summary>Bytes of decoded μ-law written to the caller's audio buffer (<c>media</c> only).</summary>
    public int PayloadLength { get; init; }

    /// <summary><c>mark.name</c> (mark echo) or <c>dtmf.digit</c>, raw.</summary>
    public ReadOnlySpan<byte> Name { get; init; }
}
