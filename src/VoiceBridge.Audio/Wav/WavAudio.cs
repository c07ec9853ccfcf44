namespace VoiceBridge.Audio;

/// <summary>The audio of a WAV file read into memory.</summary>
public sealed class WavAudio
{
    internal WavAudio(WavFormat format, ReadOnlyMemory<short> samples, ReadOnlyMemory<byte> muLawBytes, bool isTruncated)
    {
        Format = format;
        Samples = samples;
        MuLawBytes = muLawBytes;
        IsTruncated = isTruncated;
    }

    public WavFormat Format { get; }

    /// <summary>All samples as 16-bit PCM, interleaved for stereo (μ-law files are decoded).</summary>
    public ReadOnlyMemory<short> Samples { get; }

    /// <summary>The μ-law codes exactly as stored, for μ-law files; empty for PCM16 files.</summary>
    public ReadOnlyMemory<byte> MuLawBytes { get; }

    /// <summary>
    /// The data chunk ended before its declared size, or in the middle of a sample frame; the samples are what
    /// was there, cut to whole frames. A data size of 0 or 0xFFFFFFFF (streaming writers) is not truncation.
    /// </summary>
    public bool IsTruncated { get; }

    /// <summary>Samples per channel.</summary>
    public int FrameCount => Samples.Length / Format.Channels;

    public TimeSpan Duration => TimeSpan.FromSeconds((double)FrameCount / Format.SampleRate);
}
