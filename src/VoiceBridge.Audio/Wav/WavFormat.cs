namespace VoiceBridge.Audio;

/// <summary>The audio format of a WAV file: sample rate in Hz, 1 (mono) or 2 (stereo, interleaved) channels, and encoding.</summary>
public sealed record WavFormat(int SampleRate, int Channels, WavEncoding Encoding)
{
    internal int BytesPerSample => Encoding == WavEncoding.Pcm16 ? 2 : 1;

    internal int BlockAlign => Channels * BytesPerSample;

    internal void EnsureWritable(string paramName)
    {
        if (SampleRate <= 0)
        {
            throw new ArgumentOutOfRangeException(paramName, SampleRate, "Sample rate must be positive.");
        }

        if (Channels is not (1 or 2))
        {
            throw new ArgumentOutOfRangeException(paramName, Channels, "Only mono and stereo WAV files are supported.");
        }

        if (!Enum.IsDefined(Encoding))
        {
            throw new ArgumentOutOfRangeException(paramName, Encoding, "Unknown WAV encoding.");
        }
    }
}
