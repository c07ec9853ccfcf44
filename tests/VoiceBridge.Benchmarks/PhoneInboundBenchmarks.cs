using BenchmarkDotNet.Attributes;
using VoiceBridge.Audio;

namespace VoiceBridge.Benchmarks;

/// <summary>Caller → model, one 20 ms Twilio frame: μ-law decode (ours in every row) then 8 kHz → 24 kHz.</summary>
[BenchmarkCategory("phone")]
public class PhoneInboundBenchmarks : IDisposable
{
    private readonly byte[] _codes = BenchmarkSignals.MuLawFrame();
    private readonly short[] _pcm8 = new short[160];
    private readonly short[] _pcm24 = new short[480];
    private Resampler _ours = null!;
    private SpeexResampler? _speex3;
    private SpeexResampler? _speex5;

    [GlobalSetup]
    public void Setup()
    {
        _ours = Resampler.Create(8000, 24000);
        if (SpeexDsp.IsAvailable())
        {
            _speex3 = new SpeexResampler(8000, 24000, SpeexDsp.QualityVoip);
            _speex5 = new SpeexResampler(8000, 24000, SpeexDsp.QualityDesktop);
        }
    }

    [Benchmark(Baseline = true, Description = "ours: mu-law decode + 8k->24k")]
    public int Ours()
    {
        MuLaw.Decode(_codes, _pcm8);
        return _ours.Process(_pcm8, _pcm24);
    }

    [Benchmark(Description = "speexdsp q3: mu-law decode + 8k->24k")]
    [BenchmarkCategory(Comparator.Category)]
    public int SpeexQuality3()
    {
        MuLaw.Decode(_codes, _pcm8);
        return _speex3!.Process(_pcm8, _pcm24);
    }

    [Benchmark(Description = "speexdsp q5: mu-law decode + 8k->24k")]
    [BenchmarkCategory(Comparator.Category)]
    public int SpeexQuality5()
    {
        MuLaw.Decode(_codes, _pcm8);
        return _speex5!.Process(_pcm8, _pcm24);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _speex3?.Dispose();
        _speex5?.Dispose();
        GC.SuppressFinalize(this);
    }
}
