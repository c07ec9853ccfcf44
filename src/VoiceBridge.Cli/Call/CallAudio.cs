using VoiceBridge.Audio;

namespace VoiceBridge.Cli.Call;

/// <summary>WAV files in and out of a fake call: any supported file becomes 8 kHz μ-law; what was heard is saved as WAV.</summary>
internal static class CallAudio
{
    /// <summary>
    /// Reads a mono WAV (PCM16 or μ-law) and converts it to what a phone sends: 8 kHz μ-law. 8, 16, 24 and 48 kHz are
    /// supported (16 and 48 kHz go through 24 kHz, the pairs <see cref="Resampler"/> designs filters for).
    /// </summary>
    public static bool TryLoadMuLaw8k(string path, out byte[] mulaw, out string error)
    {
        mulaw = [];
        WavAudio wav;
        try
        {
            wav = WavFile.Read(path);
        }
        catch (IOException ex)
        {
            error = $"cannot read {path}: {ex.Message}";
            return false;
        }
        catch (UnauthorizedAccessException ex)
        {
            error = $"cannot read {path}: {ex.Message}";
            return false;
        }

        if (wav.Format.Channels != 1)
        {
            error = $"{path} has {wav.Format.Channels} channels; a phone call is mono (convert it first, e.g. sox in.wav -c 1 out.wav)";
            return false;
        }

        var rate = wav.Format.SampleRate;
        if (rate is not (8000 or 16000 or 24000 or 48000))
        {
            error = $"{path} is {rate} Hz; supported rates are 8000, 16000, 24000 and 48000 Hz";
            return false;
        }

        if (rate == 8000 && wav.Format.Encoding == WavEncoding.MuLaw)
        {
            mulaw = wav.MuLawBytes.ToArray();
            error = string.Empty;
            return true;
        }

        var pcm8 = rate switch
        {
            8000 => wav.Samples.Span,
            24000 => Resample(wav.Samples.Span, 24000, 8000),
            _ => Resample(Resample(wav.Samples.Span, rate, 24000), 24000, 8000),
        };
        mulaw = new byte[pcm8.Length];
        MuLaw.Encode(pcm8, mulaw);
        error = string.Empty;
        return true;
    }

    /// <summary>Writes 8 kHz μ-law as a mono WAV, either the codes as they are or decoded to PCM16.</summary>
    public static void WriteHeard(string path, ReadOnlySpan<byte> mulaw, WavEncoding encoding)
    {
        using var writer = WavWriter.Create(path, new WavFormat(8000, 1, encoding));
        if (encoding == WavEncoding.MuLaw)
        {
            writer.WriteMuLaw(mulaw);
            return;
        }

        var pcm = new short[mulaw.Length];
        MuLaw.Decode(mulaw, pcm);
        writer.Write(pcm);
    }

    private static short[] Resample(ReadOnlySpan<short> input, int from, int to)
    {
        var resampler = Resampler.Create(from, to);
        var output = new short[resampler.GetMaxOutputLength(input.Length)];
        var written = resampler.Process(input, output);
        return output[..written];
    }
}
