using BenchmarkDotNet.Attributes;
using VoiceBridge.Audio;

namespace VoiceBridge.Benchmarks;

/// <summary>
/// One phone leg per 20 ms frame, through our resampler (the baseline) and through libspeexdsp at quality 3
/// (VoIP) and 5 (desktop). The μ-law step is ours in every row, so only the resampler differs.
/// </summary>
[BenchmarkCategory("phone")]
public abstract class PhoneLegBenchmarks : IDisposable
{
    private readonly int _inputRate;
    private readonly int _outputRate;
    private SpeexResampler? _speex3;
    private SpeexResampler? _speex5;

    // Bound once so no delegate is allocated inside the measured call.
    private ProcessFrame _ours = null!;
    private ProcessFrame _speexQuality3 = null!;
    private ProcessFrame _speexQuality5 = null!;

    protected PhoneLegBenchmarks(int inputRate, int outputRate)
    {
        _inputRate = inputRate;
        _outputRate = outputRate;
    }

    [GlobalSetup]
    public void Setup()
    {
        _ours = Resampler.Create(_inputRate, _outputRate).Process;
        if (SpeexDsp.IsAvailable())
        {
            _speex3 = new SpeexResampler(_inputRate, _outputRate, SpeexDsp.QualityVoip);
            _speex5 = new SpeexResampler(_inputRate, _outputRate, SpeexDsp.QualityDesktop);
            _speexQuality3 = _speex3.Process;
            _speexQuality5 = _speex5.Process;
        }
    }

    [Benchmark(Baseline = true, Description = "ours")]
    public int Ours() => Frame(_ours);

    [Benchmark(Description = "speexdsp q3")]
    [BenchmarkCategory(Comparator.Category)]
    public int SpeexQuality3() => Frame(_speexQuality3);

    [Benchmark(Description = "speexdsp q5")]
    [BenchmarkCategory(Comparator.Category)]
    public int SpeexQuality5() => Frame(_speexQuality5);

    [GlobalCleanup]
    public void Dispose()
    {
        _speex3?.Dispose();
        _speex5?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Runs one frame of the leg (codec step included) with the given resampler.</summary>
    protected abstract int Frame(ProcessFrame resample);
}
