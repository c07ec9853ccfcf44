using System.Text;
using BenchmarkDotNet.Attributes;
using VoiceBridge.Realtime.Protocol;

namespace VoiceBridge.Benchmarks;

/// <summary>
/// What the repeated-key check adds to a browser client's input_audio_buffer.append (100 ms of 24 kHz PCM16, as
/// browsers send): the decode the fast path does anyway, and the check alone.
/// </summary>
[BenchmarkCategory("browser")]
[MemoryDiagnoser]
public class ClientAppendCheckBenchmarks
{
    private byte[] _frame = [];
    private byte[] _decoded = [];

    [GlobalSetup]
    public void Setup()
    {
        var pcm = new byte[4800];
        new Random(7).NextBytes(pcm);
        _frame = Encoding.UTF8.GetBytes("{\"type\":\"input_audio_buffer.append\",\"event_id\":\"evt_123\",\"audio\":\"" + Convert.ToBase64String(pcm) + "\"}");
        _decoded = new byte[RealtimeAudioFrames.GetMaxDecodedAudioLength(_frame.Length)];
    }

    [Benchmark(Baseline = true, Description = "decode the append (fast path)")]
    public int Decode() => RealtimeAudioFrames.TryReadInputAudioBufferAppend(_frame, _decoded, out var length) ? length : -1;

    [Benchmark(Description = "repeated-key check")]
    public bool Check() => RealtimeJsonKeys.TryFindDuplicate(_frame, out _);
}
