using BenchmarkDotNet.Attributes;
using VoiceBridge.Audio;

namespace VoiceBridge.Benchmarks;

/// <summary>The browser-side resamplers, one 20 ms frame each.</summary>
[BenchmarkCategory("browser")]
public class BrowserResamplerBenchmarks
{
    private Resampler _resampler = null!;
    private short[] _input = [];
    private short[] _output = [];

    [Params("16000->24000", "24000->16000", "48000->24000", "24000->48000")]
    public string Pair { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var rates = Pair.Split("->");
        var inputRate = int.Parse(rates[0], System.Globalization.CultureInfo.InvariantCulture);
        var outputRate = int.Parse(rates[1], System.Globalization.CultureInfo.InvariantCulture);
        _resampler = Resampler.Create(inputRate, outputRate);
        _input = BenchmarkSignals.Frame(inputRate);
        _output = new short[_resampler.GetMaxOutputLength(_input.Length)];
    }

    [Benchmark(Description = "resample one 20 ms frame")]
    public int Resample() => _resampler.Process(_input, _output);
}
