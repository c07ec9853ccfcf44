using VoiceBridge.Audio;

namespace VoiceBridge.Benchmarks;

/// <summary>Caller → model, one 20 ms Twilio frame: μ-law decode then 8 kHz → 24 kHz.</summary>
public class PhoneInboundBenchmarks() : PhoneLegBenchmarks(8000, 24000)
{
    private readonly byte[] _codes = BenchmarkSignals.MuLawFrame();
    private readonly short[] _pcm8 = new short[160];
    private readonly short[] _pcm24 = new short[480];

    protected override int Frame(ProcessFrame resample)
    {
        MuLaw.Decode(_codes, _pcm8);
        return resample(_pcm8, _pcm24);
    }
}
