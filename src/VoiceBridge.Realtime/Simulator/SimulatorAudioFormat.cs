using System.Runtime.InteropServices;
using VoiceBridge.Audio;
using VoiceBridge.Realtime.Protocol;

namespace VoiceBridge.Realtime.Simulator;

/// <summary>The session audio formats the simulator understands (§3).</summary>
internal enum SimulatorAudioFormat
{
    /// <summary>PCM16 little-endian mono 24 kHz: 48 bytes per ms.</summary>
    Pcm24k = 0,

    /// <summary>G.711 μ-law 8 kHz: 8 bytes per ms.</summary>
    Pcmu,

    /// <summary>G.711 A-law 8 kHz: 8 bytes per ms.</summary>
    Pcma,
}

internal static class SimulatorAudioFormats
{
    public static int BytesPerMs(this SimulatorAudioFormat format) => format == SimulatorAudioFormat.Pcm24k ? 48 : 8;

    public static int SampleRate(this SimulatorAudioFormat format) => format == SimulatorAudioFormat.Pcm24k ? 24000 : 8000;

    public static int BytesPerSample(this SimulatorAudioFormat format) => format == SimulatorAudioFormat.Pcm24k ? 2 : 1;

    public static bool SameRate(SimulatorAudioFormat a, SimulatorAudioFormat b) => a.SampleRate() == b.SampleRate();

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
                // PCM16 is little-endian on the wire (§3) and on every platform .NET runs this on.
                var samples = MemoryMarshal.Cast<byte, short>(encoded[..(encoded.Length & ~1)]);
                samples.CopyTo(pcm);
                return samples.Length;
        }
    }

    /// <summary>Converts between two formats of the same rate (μ-law ↔ A-law, or a copy).</summary>
    public static byte[] Convert(ReadOnlySpan<byte> audio, SimulatorAudioFormat from, SimulatorAudioFormat to)
    {
        if (from == to)
        {
            return audio.ToArray();
        }

        var pcm = new short[audio.Length];
        from.Decode(audio, pcm);
        var result = new byte[audio.Length];
        if (to == SimulatorAudioFormat.Pcmu)
        {
            MuLaw.Encode(pcm, result);
        }
        else
        {
            ALaw.Encode(pcm, result);
        }

        return result;
    }
}
