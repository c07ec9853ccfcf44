namespace VoiceBridge.Server.Core;

/// <summary>
/// One piece of audio as it crossed a leg, handed to the observers by the task that already decoded it: the wire message
/// (for the audit trail), its payload bytes, and linear PCM when the leg has it — so no observer parses the wire text
/// again, decodes base64 again or expands μ-law again.
/// </summary>
internal readonly ref struct AudioFrame
{
    public AudioFrame(ReadOnlySpan<byte> wire, ReadOnlySpan<byte> payload, ReadOnlySpan<short> pcm, int sampleRate, long receivedAt = 0, string? itemId = null)
    {
        Wire = wire;
        Payload = payload;
        Pcm = pcm;
        SampleRate = sampleRate;
        ReceivedAt = receivedAt;
        ItemId = itemId;
    }

    /// <summary>The message as it crossed the wire (UTF-8 JSON with the base64 payload in it).</summary>
    public ReadOnlySpan<byte> Wire { get; }

    /// <summary>The payload's bytes: μ-law at 8 kHz, or PCM16 little-endian.</summary>
    public ReadOnlySpan<byte> Payload { get; }

    /// <summary>The audio as linear PCM at <see cref="SampleRate"/>; empty when the leg passed μ-law through undecoded.</summary>
    public ReadOnlySpan<short> Pcm { get; }

    public int SampleRate { get; }

    /// <summary><see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> when the message arrived; 0 when not timed.</summary>
    public long ReceivedAt { get; }

    /// <summary>The assistant item the audio belongs to (upstream audio only).</summary>
    public string? ItemId { get; }
}
