using System.Runtime.InteropServices;
using VoiceBridge.Audio;
using VoiceBridge.Realtime.Protocol;

namespace VoiceBridge.Realtime.Simulator;

/// <summary>Wire mapping, decoding and conversion of <see cref="SimulatorAudioFormat"/>.</summary>
internal static class SimulatorAudioFormats
{
    public static int BytesPerMs(this SimulatorAudioFormat format) => format == SimulatorAudioFormat.Pcm24k ? 48 : 8;

    public static int SampleRate(this SimulatorAudioFormat format) => format == SimulatorAudioFormat.Pcm24k ? 24000 : 8000;

    public static int BytesPerSample(this SimulatorAudioFormat format) => format == SimulatorAudioFormat.Pcm24k ? 2 : 1;

    private static bool SameRate(SimulatorAudioFormat a, SimulatorAudioFormat b) => a.SampleRate() == b.SampleRate();

    public static RealtimeAudioFormat ToWire(this SimulatorAudioFormat format) => format switch
    {
        SimulatorAudioFormat.Pcmu => new RealtimeAudioFormat { Type = RealtimeAudioFormat.PcmuType },
        SimulatorAudioFormat.Pcma => new RealtimeAudioFormat { Type = RealtimeAudioFormat.PcmaType },
        _ => RealtimeAudioFormat.Pcm24k,
    };

    /// <summary>Null when the wire format is not one the API accepts.</summary>
    public static SimulatorAudioFormat? FromWire(RealtimeAudioFormat format) => format.Type switch
    {
        RealtimeAudioFormat.PcmType when format.Rate is null or 24000 => SimulatorAudioFormat.Pcm24k,
        RealtimeAudioFormat.PcmuType => SimulatorAudioFormat.Pcmu,
        RealtimeAudioFormat.PcmaType => SimulatorAudioFormat.Pcma,
        _ => null,
    };

    /// <summary>Decodes <paramref name="encoded"/> (whole samples) to linear PCM; returns the sample count.</summary>
    public static int Decode(this SimulatorAudioFormat format, ReadOnlySpan<byte> encoded, Span<short> pcm)
    {
        switch (format)
        {
            case SimulatorAudioFormat.Pcmu:
                MuLaw.Decode(encoded, pcm);
                return encoded.Length;
            case SimulatorAudioFormat.Pcma:
                ALaw.Decode(encoded, pcm);
                return encoded.Length;
            default:
                // PCM16 is little-endian on the wire (docs/protocols/openai-realtime.md#audio-formats) and on every
                // platform .NET runs this on.
                var samples = MemoryMarshal.Cast<byte, short>(encoded[..(encoded.Length & ~1)]);
                samples.CopyTo(pcm);
                return samples.Length;
        }
    }

    /// <summary>
    /// Converts a whole utterance between formats: decode, resample 8 kHz ↔ 24 kHz when the rates differ (the
    /// resampler's group delay is flushed with zeros and trimmed so the echo lines up), encode.
    /// </summary>
    public static byte[] Convert(ReadOnlySpan<byte> audio, SimulatorAudioFormat from, SimulatorAudioFormat to)
    {
        if (from == to)
        {
            return audio.ToArray();
        }

        var pcm = new short[audio.Length / from.BytesPerSample()];
        from.Decode(audio, pcm);
        if (!SameRate(from, to))
        {
            pcm = Resample(pcm, from.SampleRate(), to.SampleRate());
        }

        return Encode(pcm, to);
    }

    private static short[] Resample(short[] input, int inputRate, int outputRate)
    {
        var resampler = Resampler.Create(inputRate, outputRate);
        var delayIn = (int)Math.Ceiling(resampler.DelayMilliseconds * inputRate / 1000);
        var delayOut = (int)Math.Round(resampler.DelayMilliseconds * outputRate / 1000);
        var padded = new short[input.Length + delayIn];
        input.CopyTo(padded, 0);
        var output = new short[resampler.GetMaxOutputLength(padded.Length)];
        var written = resampler.Process(padded, output);
        var wanted = (int)((long)input.Length * outputRate / inputRate);
        var start = Math.Min(delayOut, written);
        return output.AsSpan(start, Math.Min(wanted, written - start)).ToArray();
    }

    public static byte[] Encode(short[] pcm, SimulatorAudioFormat format)
    {
        switch (format)
        {
            case SimulatorAudioFormat.Pcmu:
                var ulaw = new byte[pcm.Length];
                MuLaw.Encode(pcm, ulaw);
                return ulaw;
            case SimulatorAudioFormat.Pcma:
                var alaw = new byte[pcm.Length];
                ALaw.Encode(pcm, alaw);
                return alaw;
            default:
                return MemoryMarshal.AsBytes(pcm.AsSpan()).ToArray();
        }
    }
}
