using VoiceBridge.Audio;

namespace VoiceBridge.Benchmarks;

/// <summary>Model → caller, one 20 ms frame: 24 kHz → 8 kHz then μ-law encode.</summary>
public class PhoneOutboundBenchmarks() : PhoneLegBenchmarks(24000, 8000)
{
    private readonly short[] _pcm24 = BenchmarkSignals.Frame(24000);
    private readonly short[] _pcm8 = new short[160];
    private readonly byte[] _codes = new byte[160];

    protected override int Frame(ProcessFrame resample)
    {
        var written = resample(_pcm24, _pcm8);
        MuLaw.Encode(_pcm8.AsSpan(0, written), _codes);
        return written;
    }
}
