namespace VoiceBridge.Audio;

/// <summary>How samples are stored in a WAV file's data chunk.</summary>
public enum WavEncoding
{
    /// <summary>Signed 16-bit little-endian linear PCM (format tag 1).</summary>
    Pcm16,

    /// <summary>8-bit G.711 μ-law codes (format tag 7), as Twilio sends them.</summary>
    MuLaw,
}
