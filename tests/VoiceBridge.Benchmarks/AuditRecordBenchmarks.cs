using System.Buffers;
using System.Diagnostics;
using System.Text;
using BenchmarkDotNet.Attributes;
using VoiceBridge.Realtime.Audit;
using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Benchmarks;

/// <summary>
/// Where an audited phone frame's six records (caller media in, append up, delta down, media and mark out, mark echo)
/// are cheapest to format and hash: on the session's task as each message crosses (the event bytes are hot), or in
/// the audit writer, batched, from copies queued earlier (what the session then pays is the copy into a pooled buffer).
/// Per frame; the batched row formats <see cref="Batch"/> frames queued beforehand (about 5 MB, more than the caches
/// hold, as an interval's worth of 100 calls is) and reports the mean per frame.
/// </summary>
[BenchmarkCategory("audit")]
[MemoryDiagnoser]
public class AuditRecordBenchmarks : IDisposable
{
    private const int Batch = 1_000;

    private readonly AuditSigningKey _key = AuditSigningKey.TryParse(AuditSigningKey.NewBase64(), out var key, out _) ? key! : throw new InvalidOperationException();
    private AuditChainWriter _chain = null!;
    private readonly ArrayBufferWriter<byte> _pending = new(64 * 1024);
    private (AuditDirection Direction, string Type, byte[] Json, bool Audio)[] _frame = [];
    private RealtimeMessage _append;
    private RealtimeMessage _delta;
    private byte[][] _queued = [];
    private int[] _queuedLengths = [];
    private long _offset;
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

    [GlobalSetup]
    public void Setup()
    {
        _append = RealtimeAudioFrames.WriteInputAudioBufferAppend(new byte[960]);
        _delta = RealtimeAudioFrames.WriteOutputAudioDelta(new byte[960], default, "resp_1", "item_1", 0, 0);
        _frame =
        [
            (AuditDirection.CallerIn, "media", Encoding.UTF8.GetBytes("{\"event\":\"media\",\"sequenceNumber\":\"2\",\"media\":{\"track\":\"inbound\",\"chunk\":\"1\",\"timestamp\":\"0\",\"payload\":\"" + Convert.ToBase64String(new byte[160]) + "\"},\"streamSid\":\"MZ1\"}"), true),
            (AuditDirection.UpstreamOut, "input_audio_buffer.append", _append.Span.ToArray(), true),
            (AuditDirection.UpstreamIn, "response.output_audio.delta", _delta.Span.ToArray(), true),
            (AuditDirection.CallerOut, "media", Encoding.UTF8.GetBytes("{\"event\":\"media\",\"streamSid\":\"MZ1\",\"media\":{\"payload\":\"" + Convert.ToBase64String(new byte[160]) + "\"}}"), true),
            (AuditDirection.CallerOut, "mark", "{\"event\":\"mark\",\"streamSid\":\"MZ1\",\"mark\":{\"name\":\"m12\"}}"u8.ToArray(), false),
            (AuditDirection.CallerIn, "mark", "{\"event\":\"mark\",\"sequenceNumber\":\"9\",\"streamSid\":\"MZ1\",\"mark\":{\"name\":\"m12\"}}"u8.ToArray(), false),
        ];
        _chain = NewChain();
        _queued = new byte[Batch * _frame.Length][];
        _queuedLengths = new int[_queued.Length];
    }

    [IterationSetup(Target = nameof(FormatBatchedInTheWriter))]
    public void QueueBatch()
    {
        // What the sessions queued during an interval: copies in pooled buffers, written long before the writer reads them.
        for (var i = 0; i < _queued.Length; i++)
        {
            var json = _frame[i % _frame.Length].Json;
            _queued[i] = ArrayPool<byte>.Shared.Rent(json.Length);
            json.CopyTo(_queued[i], 0);
            _queuedLengths[i] = json.Length;
        }

        _pending.ResetWrittenCount();
    }

    [Benchmark(Description = "session task: copy each record into a pooled buffer (queued)")]
    public int CopyOnTheSessionTask()
    {
        var total = 0;
        foreach (var (_, _, json, _) in _frame)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(json.Length);
            json.CopyTo(buffer, 0);
            total += buffer.Length;
            // The writer returns it; returned here so the pool does not run dry.
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return total;
    }

    [Benchmark(Baseline = true, Description = "session task: format + hash each record as it crosses")]
    public int FormatOnTheSessionTask()
    {
        var total = 0;
        foreach (var (direction, type, json, audio) in _frame)
        {
            total += Format(direction, type, json, audio);
        }

        if (_pending.WrittenCount > 32 * 1024)
        {
            _pending.ResetWrittenCount();
        }

        return total;
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "writer: format + hash queued copies, batched (per frame)")]
    public int FormatBatchedInTheWriter()
    {
        var total = 0;
        for (var i = 0; i < _queued.Length; i++)
        {
            var (direction, type, _, audio) = _frame[i % _frame.Length];
            total += Format(direction, type, _queued[i].AsSpan(0, _queuedLengths[i]), audio);
            ArrayPool<byte>.Shared.Return(_queued[i]);
            if (_pending.WrittenCount > 32 * 1024)
            {
                _pending.ResetWrittenCount();
            }
        }

        return total;
    }

    private int Format(AuditDirection direction, string type, ReadOnlySpan<byte> json, bool audio)
    {
        if (_chain.LastSeq > 1_000_000)
        {
            _chain.Dispose();
            _chain = NewChain();
        }

        var line = audio
            ? _chain.WriteAudioRecord(_now, direction, type, json, _offset += 160)
            : _chain.WriteRecord(_now, direction, type, json);
        _pending.Write(line.Span);
        return line.Length;
    }

    private AuditChainWriter NewChain()
    {
        var chain = new AuditChainWriter(_key);
        chain.WriteHeader(new AuditHeader("CA1", AuditFormat.TwilioTransport, _now, "00112233445566778899aabbccddeeff"));
        return chain;
    }

    /// <summary>
    /// A second opinion for busy machines, like <see cref="InterleavedTiming"/>: the three ways timed in turn, keeping
    /// each one's fastest round of <see cref="Batch"/> frames, so background load hits them alike.
    /// </summary>
    public static void PrintInterleaved(int rounds = 40)
    {
        using var bench = new AuditRecordBenchmarks();
        bench.Setup();
        double inline = double.MaxValue, copy = double.MaxValue, batched = double.MaxValue;
        for (var round = 0; round < rounds; round++)
        {
            var clock = Stopwatch.StartNew();
            for (var frame = 0; frame < Batch; frame++)
            {
                bench.FormatOnTheSessionTask();
            }

            inline = Math.Min(inline, clock.Elapsed.TotalNanoseconds / Batch);

            clock.Restart();
            bench.QueueBatch();
            copy = Math.Min(copy, clock.Elapsed.TotalNanoseconds / Batch);

            clock.Restart();
            bench.FormatBatchedInTheWriter();
            batched = Math.Min(batched, clock.Elapsed.TotalNanoseconds / Batch);
        }

        Console.WriteLine($"Audit, ns per phone frame (6 records), fastest of {rounds} rounds x {Batch} frames: format + hash on the session's task {inline:F0}; "
            + $"copy to pooled buffers {copy:F0} + format + hash batched in the writer {batched:F0} = {copy + batched:F0}");
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _chain.Dispose();
        _append.Dispose();
        _delta.Dispose();
        GC.SuppressFinalize(this);
    }
}
