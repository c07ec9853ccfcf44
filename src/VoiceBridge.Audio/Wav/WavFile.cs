namespace VoiceBridge.Audio;

/// <summary>Reads and writes whole WAV files (RIFF/WAVE, 16-bit PCM or μ-law, mono or stereo).</summary>
/// <remarks>For long recordings written as they happen, use <see cref="WavWriter"/>.</remarks>
public static class WavFile
{
    /// <summary>Reads a WAV file from the current position of <paramref name="stream"/> (which stays open).</summary>
    /// <remarks>
    /// Accepts format tags 1 (PCM, 16-bit) and 7 (μ-law, 8-bit), also inside WAVE_FORMAT_EXTENSIBLE; skips
    /// unknown chunks; treats a data size of 0 or 0xFFFFFFFF as "to the end of the file" (streaming writers);
    /// reads what is there of a truncated data chunk and sets <see cref="WavAudio.IsTruncated"/>.
    /// </remarks>
    /// <exception cref="WavFormatException">The file is malformed or its format is unsupported; the message says which.</exception>
    public static WavAudio Read(Stream stream) => WavReader.Read(stream);

    /// <inheritdoc cref="Read(Stream)"/>
    public static WavAudio Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return WavReader.Read(stream);
    }

    /// <summary>Writes a complete WAV file; μ-law formats encode <paramref name="samples"/> (interleaved for stereo).</summary>
    public static void Write(string path, WavFormat format, ReadOnlySpan<short> samples)
    {
        using var writer = WavWriter.Create(path, format);
        writer.Write(samples);
    }

    /// <summary>Writes a complete WAV file at the current position of <paramref name="stream"/> (which stays open).</summary>
    public static void Write(Stream stream, WavFormat format, ReadOnlySpan<short> samples)
    {
        using var writer = new WavWriter(stream, format, leaveOpen: true);
        writer.Write(samples);
    }
}
