using BenchmarkDotNet.Attributes;
using VoiceBridge.Audio;

namespace VoiceBridge.Benchmarks;

/// <summary>Model → caller, one 20 ms frame: 24 kHz → 8 kHz then μ-law encode (ours in every row).</summary>
[BenchmarkCategory("phone")]
public class PhoneOutboundBenchmarks : IDisposable
{
    private readonly short[] _pcm24 = BenchmarkSignals.Frame(24000);
    private readonly short[] _pcm8 = new short[160];
    private readonly byte[] _codes = new byte[160];
    private Resampler _ours = null!;
    private SpeexResampler? _speex3;
    private SpeexResampler? _speex5;

    [GlobalSetup]
    public void Setup()
    {
        _ours = Resampler.Create(24000, 8000);
        if (SpeexDsp.IsAvailable())
        {
            _speex3 = new SpeexResampler(24000, 8000, SpeexDsp.QualityVoip);
            _speex5 = new SpeexResampler(24000, 8000, SpeexDsp.QualityDesktop);
        }
    }

    [Benchmark(Baseline = true, Description = "ours: 24k->8k + mu-law encode")]
    public int Ours()
    {
        var written = _ours.Process(_pcm24, _pcm8);
        MuLaw.Encode(_pcm8.AsSpan(0, written), _codes);
        return written;
    }

    [Benchmark(Description = "speexdsp q3: 24k->8k + mu-law encode")]
    [BenchmarkCategory(Comparator.Category)]
    public int SpeexQuality3()
    {
        var written = _speex3!.Process(_pcm24, _pcm8);
        MuLaw.Encode(_pcm8.AsSpan(0, written), _codes);
        return written;
    }

    [Benchmark(Description = "speexdsp q5: 24k->8k + mu-law encode")]
    [BenchmarkCategory(Comparator.Category)]
    public int SpeexQuality5()
    {
        var written = _speex5!.Process(_pcm24, _pcm8);
        MuLaw.Encode(_pcm8.AsSpan(0, written), _codes);
        return written;
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _speex3?.Dispose();
        _speex5?.Dispose();
        GC.SuppressFinalize(this);
    }
}
