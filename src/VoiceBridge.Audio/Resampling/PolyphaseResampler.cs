using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace VoiceBridge.Audio;

/// <summary>
/// Rational L/M polyphase resampler over a shared <see cref="PolyphaseDesign"/>. The input is split into M
/// float streams; each output is a fixed sequence of fused multiply-adds over those streams.
/// </summary>
/// <remarks>
/// Chunking invariance: output m is always computed as the same FMA chain (streams in order, oldest sample
/// first, float accumulator starting at 0), whether it lands in a vector lane or in the scalar tail, and the
/// history it reads does not depend on how the input was split. So any chunking gives bit-identical output.
/// Speed: the vector path computes 4 vectors of consecutive cycles per class at once — one broadcast
/// coefficient times four contiguous loads — so there are no horizontal sums and four independent FMA chains
/// hide the FMA latency (4 cycles) behind its throughput (2 per cycle).
/// </remarks>
internal sealed class PolyphaseResampler : Resampler
{
    // Input handled per internal pass: 20 ms at 24 kHz (one telephony frame at any of our rates fits in one or two).
    // Larger Process calls are split into passes, so the buffers are allocated once at construction whatever the
    // caller's chunk size. Every call holds two resamplers for its life: 1,920 here made each one's streams ~8 KiB
    // (measured with a heap dump at 100 calls); 480 makes them ~2-3 KiB, at the cost of a history move per pass.
    private const int PassInput = 480;
    private const int VectorBlocks = 4;

    private static readonly bool UseVectors = Vector.IsHardwareAccelerated && (Fma.IsSupported || AdvSimd.IsSupported);

    private readonly PolyphaseDesign _design;
    private readonly int _up;
    private readonly int _down;
    private readonly int _streamCapacity;
    private readonly float[] _streams;
    private readonly short[] _interleave;

    private long _inputCount;
    private long _outputCount;

    // Stream index t held at buffer position 0 of every stream.
    private long _origin;

    public PolyphaseResampler(PolyphaseDesign design)
        : base(design.InputRate, design.OutputRate, design.Up, design.Down, design.DelayMilliseconds)
    {
        _design = design;
        _up = design.Up;
        _down = design.Down;
        // History (−MinOffset) + one pass + slack for a partly filled cycle (proved ≤ 4 in Compact; 8 kept).
        _streamCapacity = -design.MinOffset + ((PassInput + _down - 1) / _down) + 8 + Vector<float>.Count;
        _streams = new float[_streamCapacity * _down];
        _interleave = new short[_up * VectorBlocks * Vector<float>.Count];
        Reset();
    }

    public override void Reset()
    {
        Array.Clear(_streams);
        _inputCount = 0;
        _outputCount = 0;
        _origin = _design.MinOffset;
    }

    public override int Process(ReadOnlySpan<short> input, Span<short> output)
    {
        var needed = CeilDiv((_inputCount + input.Length) * _up, _down) - _outputCount;
        if (output.Length < needed)
        {
            throw new ArgumentException($"The output span holds {output.Length} samples; this call writes {needed}.", nameof(output));
        }

        var written = 0;
        while (!input.IsEmpty)
        {
            var pass = input[..Math.Min(input.Length, PassInput)];
            Append(pass);
            input = input[pass.Length..];

            var end = CeilDiv(_inputCount * _up, _down);
            var count = (int)(end - _outputCount);
            ComputeRange(_outputCount, output.Slice(written, count));
            written += count;
            _outputCount = end;
            Compact();
        }

        return written;
    }

    private static long CeilDiv(long a, long b) => (a + b - 1) / b;

    /// <summary>Deinterleaves the input into the M streams as float (converted once here, not once per tap).</summary>
    private void Append(ReadOnlySpan<short> input)
    {
        ref var source = ref MemoryMarshal.GetReference(input);
        for (var q = 0; q < _down; q++)
        {
            // First position in this chunk whose global index n has n mod M == q.
            var k = (int)(((q - (_inputCount % _down)) + _down) % _down);
            if (k >= input.Length)
            {
                continue;
            }

            var t = (int)(((_inputCount + k) / _down) - _origin);
            var count = (input.Length - k + _down - 1) / _down;
            Debug.Assert(t + count <= _streamCapacity, "stream buffer overflow");
            ref var target = ref _streams[(q * _streamCapacity) + t];
            if (_down == 1)
            {
                Convert(ref source, ref target, count);
                continue;
            }

            for (var i = 0; i < count; i++, k += _down)
            {
                Unsafe.Add(ref target, i) = Unsafe.Add(ref source, k);
            }
        }

        _inputCount += input.Length;
    }

    private static void Convert(ref short source, ref float target, int count)
    {
        var i = 0;
        if (UseVectors)
        {
            var width = Vector<short>.Count;
            for (; i <= count - width; i += width)
            {
                Vector.Widen(Vector.LoadUnsafe(ref source, (nuint)i), out var low, out var high);
                Vector.ConvertToSingle(low).StoreUnsafe(ref target, (nuint)i);
                Vector.ConvertToSingle(high).StoreUnsafe(ref target, (nuint)(i + Vector<int>.Count));
            }
        }

        for (; i < count; i++)
        {
            Unsafe.Add(ref target, i) = Unsafe.Add(ref source, i);
        }
    }

    /// <summary>Drops stream samples no future output reads (older than the next cycle's oldest tap).</summary>
    private void Compact()
    {
        // Outputs up to cycle ⌊out/L⌋ are done; with out = ⌈in·L/M⌉ that cycle is ≥ ⌊in/M⌋ − 1, and streams
        // hold samples up to ⌈in/M⌉, so at most ~3 samples beyond the history stay after the move.
        var origin = (_outputCount / _up) + _design.MinOffset;
        var shift = (int)(origin - _origin);
        if (shift <= 0)
        {
            return;
        }

        for (var q = 0; q < _down; q++)
        {
            var end = (int)(((_inputCount - q + _down - 1) / _down) - _origin);
            var stream = _streams.AsSpan(q * _streamCapacity, _streamCapacity);
            if (end > shift)
            {
                stream[shift..end].CopyTo(stream);
            }
        }

        _origin = origin;
    }

    private void ComputeRange(long first, Span<short> output)
    {
        var m = first;
        var i = 0;
        while (i < output.Length && m % _up != 0)
        {
            output[i++] = ComputeOne(m++);
        }

        if (UseVectors)
        {
            var block = VectorBlocks * Vector<float>.Count * _up;
            while (output.Length - i >= block)
            {
                ComputeBlock(m / _up, output.Slice(i, block));
                i += block;
                m += block;
            }
        }

        while (i < output.Length)
        {
            output[i++] = ComputeOne(m++);
        }
    }

    private short ComputeOne(long m)
    {
        var cycle = m / _up;
        var outputClass = (int)(m % _up);
        ref var streams = ref MemoryMarshal.GetArrayDataReference(_streams);
        var acc = 0f;
        for (var q = 0; q < _down; q++)
        {
            var taps = _design.Branch(outputClass, q);
            var start = (int)(cycle + _design.BranchOffset(outputClass, q) - _origin);
            ref var samples = ref Unsafe.Add(ref streams, (q * _streamCapacity) + start);
            for (var j = 0; j < taps.Length; j++)
            {
                acc = MathF.FusedMultiplyAdd(taps[j], Unsafe.Add(ref samples, j), acc);
            }
        }

        return ToSample(acc);
    }

    /// <summary>Computes VectorBlocks·W consecutive cycles (all L classes of each), W = Vector&lt;float&gt;.Count.</summary>
    private void ComputeBlock(long cycle, Span<short> output)
    {
        var width = Vector<float>.Count;
        var cycles = VectorBlocks * width;
        ref var streams = ref MemoryMarshal.GetArrayDataReference(_streams);
        for (var c = 0; c < _up; c++)
        {
            var acc0 = Vector<float>.Zero;
            var acc1 = Vector<float>.Zero;
            var acc2 = Vector<float>.Zero;
            var acc3 = Vector<float>.Zero;
            for (var q = 0; q < _down; q++)
            {
                var taps = _design.Branch(c, q);
                var start = (int)(cycle + _design.BranchOffset(c, q) - _origin);
                Debug.Assert(start >= 0 && start + taps.Length + cycles <= _streamCapacity + 1, "stream read out of range");
                ref var samples = ref Unsafe.Add(ref streams, (q * _streamCapacity) + start);
                for (var j = 0; j < taps.Length; j++)
                {
                    var coefficient = new Vector<float>(taps[j]);
                    ref var at = ref Unsafe.Add(ref samples, j);
                    acc0 = Vector.FusedMultiplyAdd(coefficient, Vector.LoadUnsafe(ref at), acc0);
                    acc1 = Vector.FusedMultiplyAdd(coefficient, Vector.LoadUnsafe(ref at, (nuint)width), acc1);
                    acc2 = Vector.FusedMultiplyAdd(coefficient, Vector.LoadUnsafe(ref at, (nuint)(2 * width)), acc2);
                    acc3 = Vector.FusedMultiplyAdd(coefficient, Vector.LoadUnsafe(ref at, (nuint)(3 * width)), acc3);
                }
            }

            var low = Vector.Narrow(ToSamples(acc0), ToSamples(acc1));
            var high = Vector.Narrow(ToSamples(acc2), ToSamples(acc3));
            var target = _up == 1 ? output : _interleave.AsSpan(c * cycles, cycles);
            low.CopyTo(target);
            high.CopyTo(target[(2 * width)..]);
        }

        if (_up > 1)
        {
            for (var c = 0; c < _up; c++)
            {
                var source = _interleave.AsSpan(c * cycles, cycles);
                for (var r = 0; r < cycles; r++)
                {
                    output[(r * _up) + c] = source[r];
                }
            }
        }
    }

    // Round half to even, then saturate: both paths must agree exactly (Vector.Round is also to-even).
    private static short ToSample(float value) => (short)Math.Clamp(MathF.Round(value), short.MinValue, short.MaxValue);

    private static Vector<int> ToSamples(Vector<float> value) =>
        Vector.ConvertToInt32(Vector.Min(Vector.Max(Vector.Round(value), new Vector<float>(short.MinValue)), new Vector<float>(short.MaxValue)));
}
