namespace VoiceBridge.Audio.Tests.Resampling;

public sealed class ResamplerStreamingTests
{
    public static TheoryData<int, int> AllPairs => ResamplerQualityTests.AllPairs;

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void ChunkedStreams_EqualTheSignalInOnePiece_SampleForSample(int inputRate, int outputRate)
    {
        var random = new Random(inputRate + outputRate);
        var input = TestSignal(random, inputRate, inputRate);
        var whole = Resampler.Create(inputRate, outputRate);
        var expected = new short[whole.GetMaxOutputLength(input.Length)];
        Assert.Equal(expected.Length, whole.Process(input, expected));

        var frames = ToneAnalysis.ResampleInFrames(inputRate, outputRate, input);
        Assert.Equal(expected, frames);

        // Random chunks: empty, single samples, odd sizes, and chunks larger than the resampler's internal pass.
        for (var trial = 0; trial < 3; trial++)
        {
            var resampler = Resampler.Create(inputRate, outputRate);
            var actual = new short[expected.Length];
            var scratch = new short[resampler.GetMaxOutputLength(5000)];
            var written = 0;
            var position = 0;
            while (position < input.Length)
            {
                var size = random.Next(6) switch
                {
                    0 => 1,
                    1 => 0,
                    2 => random.Next(2, 8),
                    3 => random.Next(8, 200) | 1,
                    4 => random.Next(200, 1000),
                    _ => random.Next(1000, 5000),
                };
                size = Math.Min(size, input.Length - position);
                var chunk = input.AsSpan(position, size);
                var count = resampler.Process(chunk, scratch);
                Assert.InRange(count, 0, resampler.GetMaxOutputLength(size));
                scratch.AsSpan(0, count).CopyTo(actual.AsSpan(written));
                written += count;
                position += size;
            }

            Assert.Equal(expected.Length, written);
            Assert.Equal(expected, actual);
        }
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void EveryTwentyMillisecondFrame_ProducesItsWholeOutputFrameAtOnce(int inputRate, int outputRate)
    {
        var resampler = Resampler.Create(inputRate, outputRate);
        var input = ToneAnalysis.Tone(997.3, inputRate, inputRate / 50);
        var output = new short[outputRate / 50];
        Assert.Equal(outputRate / 50, resampler.GetMaxOutputLength(input.Length));
        for (var frame = 0; frame < 5; frame++)
        {
            Assert.Equal(outputRate / 50, resampler.Process(input, output));
        }
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void Output_MatchesADirectDoublePrecisionConvolution(int inputRate, int outputRate)
    {
        // Reference: zero-stuff by L, convolve with the prototype in double, keep every M-th sample, round.
        // Ours accumulates in float, so allow one LSB where the float sum lands across a .5 boundary.
        var design = PolyphaseDesign.For(inputRate, outputRate)!;
        var input = TestSignal(new Random(7), inputRate, inputRate / 5);
        var actual = ToneAnalysis.ResampleInFrames(inputRate, outputRate, input);

        var h = design.Prototype;
        var maxError = 0;
        for (var m = 0; m < actual.Length; m++)
        {
            var position = (long)m * design.Down;
            var sum = 0.0;
            for (var k = 0; k < h.Length; k++)
            {
                var u = position - k;
                if (u >= 0 && u % design.Up == 0 && u / design.Up < input.Length)
                {
                    sum += h[k] * input[u / design.Up];
                }
            }

            var expected = (int)Math.Clamp(Math.Round(sum), short.MinValue, short.MaxValue);
            maxError = Math.Max(maxError, Math.Abs(expected - actual[m]));
        }

        Assert.InRange(maxError, 0, 1);
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void FullScaleSquareWave_SaturatesInsteadOfWrapping(int inputRate, int outputRate)
    {
        // The filter's Gibbs overshoot takes a full-scale square wave ~18 % past int16; clipped, every output
        // sample keeps the sign of the half-period it belongs to (a wrap would flip it).
        var input = new short[inputRate / 5];
        var half = inputRate / 200; // 100 Hz square wave
        for (var n = 0; n < input.Length; n++)
        {
            input[n] = (n / half) % 2 == 0 ? short.MaxValue : short.MinValue;
        }

        var output = ToneAnalysis.ResampleInFrames(inputRate, outputRate, input);
        var delay = Resampler.Create(inputRate, outputRate).DelayMilliseconds / 1000;
        var clippedHigh = 0;
        var clippedLow = 0;
        for (var m = 0; m < output.Length; m++)
        {
            var t = (double)m / outputRate - delay;
            var phase = t * inputRate / half % 2;
            if (t < 0.02 || Math.Abs(phase - 1) < 0.25 || phase < 0.25 || phase > 1.75)
            {
                continue; // warm-up and the edges, where the output legitimately crosses zero
            }

            if (phase < 1)
            {
                Assert.True(output[m] > 30000, $"sample {m} = {output[m]} in a positive half");
            }
            else
            {
                Assert.True(output[m] < -30000, $"sample {m} = {output[m]} in a negative half");
            }

            clippedHigh += output[m] == short.MaxValue ? 1 : 0;
            clippedLow += output[m] == short.MinValue ? 1 : 0;
        }

        Assert.True(clippedHigh > 0 && clippedLow > 0, "the overshoot should reach both rails");
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void Silence_GivesExactZeros(int inputRate, int outputRate)
    {
        var output = ToneAnalysis.ResampleInFrames(inputRate, outputRate, new short[inputRate / 10]);
        Assert.All(output, sample => Assert.Equal(0, sample));
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void SteadyStateFrames_AllocateNothing(int inputRate, int outputRate)
    {
        var resampler = Resampler.Create(inputRate, outputRate);
        var input = ToneAnalysis.Tone(997.3, inputRate, inputRate / 50);
        var output = new short[resampler.GetMaxOutputLength(input.Length)];
        resampler.Process(input, output);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var frame = 0; frame < 50; frame++)
        {
            resampler.Process(input, output);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Reset_StartsANewStream()
    {
        var input = TestSignal(new Random(3), 8000, 800);
        var resampler = Resampler.Create(8000, 24000);
        var first = new short[2400];
        resampler.Process(input, first);
        resampler.Reset();
        var second = new short[2400];
        resampler.Process(input, second);
        Assert.Equal(first, second);
    }

    [Theory]
    [InlineData(8000, 16000)]
    [InlineData(44100, 24000)]
    [InlineData(24000, 24000)]
    [InlineData(0, 24000)]
    public void Create_RejectsUnsupportedPairs(int inputRate, int outputRate)
    {
        Assert.False(Resampler.IsSupported(inputRate, outputRate));
        Assert.Throws<ArgumentOutOfRangeException>(() => Resampler.Create(inputRate, outputRate));
    }

    [Fact]
    public void Process_RejectsAnOutputSpanThatIsTooShort()
    {
        var resampler = Resampler.Create(8000, 24000);
        Assert.Throws<ArgumentException>(() => resampler.Process(new short[160], new short[479]));
    }

    [Fact]
    public void Designs_AreSharedAcrossInstances()
    {
        Assert.Same(PolyphaseDesign.For(8000, 24000), PolyphaseDesign.For(8000, 24000));
        Assert.Same(PolyphaseDesign.For(24000, 8000), PolyphaseDesign.For(24000, 8000));
    }

    /// <summary>Speech-like test signal: two tones plus noise, peaking near −3 dBFS.</summary>
    private static short[] TestSignal(Random random, int sampleRate, int length)
    {
        var samples = new short[length];
        for (var n = 0; n < length; n++)
        {
            var t = (double)n / sampleRate;
            var value = (9000 * Math.Sin(2 * Math.PI * 443.1 * t)) + (6000 * Math.Sin(2 * Math.PI * 2711.7 * t)) + (7000 * (random.NextDouble() - 0.5));
            samples[n] = (short)Math.Round(value);
        }

        return samples;
    }
}
