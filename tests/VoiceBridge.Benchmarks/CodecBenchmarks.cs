using BenchmarkDotNet.Attributes;
using VoiceBridge.Audio;

namespace VoiceBridge.Benchmarks;

/// <summary>The μ-law codec alone, one 20 ms frame (160 samples).</summary>
[BenchmarkCategory("codec")]
public class CodecBenchmarks
{
    private readonly byte[] _codes = BenchmarkSignals.MuLawFrame();
    private readonly short[] _pcm = BenchmarkSignals.Frame(8000);
    private readonly short[] _decoded = new short[160];
    private readonly byte[] _encoded = new byte[160];

    [Benchmark(Description = "mu-law decode 160")]
    public void Decode() => MuLaw.Decode(_codes, _decoded);

    [Benchmark(Description = "mu-law encode 160")]
    public void Encode() => MuLaw.Encode(_pcm, _encoded);
}
