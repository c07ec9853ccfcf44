namespace VoiceBridge.Audio.Tests.Resampling;

/// <summary>
/// Frequency-domain quality of every supported pair, measured on the int16 output of the streaming resampler
/// fed in 20 ms frames (method: docs/protocols/g711-and-resampling.md#how-the-resamplers-are-measured; tones at −1 dBFS
/// whose frequencies are not simple fractions of the rates, 40 ms warm-up discarded, 0.5 s analysed).
/// </summary>
public sealed class ResamplerQualityTests
{
    private const double WarmUpSeconds = 0.04;
    private const double AnalysisSeconds = 0.5;

    public static TheoryData<int, int> AllPairs => new()
    {
        { 8000, 24000 }, { 24000, 8000 }, { 16000, 24000 }, { 24000, 16000 }, { 48000, 24000 }, { 24000, 48000 },
    };

    // Pairs that interpolate (L > 1) and so can create images of passband tones.
    public static TheoryData<int, int> ImagingPairs => new()
    {
        { 8000, 24000 }, { 16000, 24000 }, { 24000, 16000 }, { 24000, 48000 },
    };

    // Pairs whose input can carry content in the stopband (input Nyquist above the stopband edge).
    public static TheoryData<int, int> AliasingPairs => new()
    {
        { 24000, 8000 }, { 24000, 16000 }, { 48000, 24000 },
    };

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void Passband_RippleIsAtMostOneTenthDb(int inputRate, int outputRate)
    {
        var design = PolyphaseDesign.For(inputRate, outputRate)!;
        var gains = ToneAnalysis.Sweep(300.37, design.PassbandEndHz - 0.41, 25)
            .Select(f => (Frequency: f, Gain: OutputLevel(f, inputRate, outputRate, out var input) - input))
            .ToList();

        var ripple = gains.Max(g => g.Gain) - gains.Min(g => g.Gain);
        ResamplerFigures.Report(
            $"{inputRate}->{outputRate}: passband 300-{design.PassbandEndHz:F0} Hz ripple {ripple:F5} dB " +
            $"(gain {gains.Min(g => g.Gain):F5} .. {gains.Max(g => g.Gain):F5} dB over {gains.Count} tones)");
        Assert.True(ripple <= 0.1, $"ripple {ripple:F4} dB");
        Assert.All(gains, g => Assert.InRange(g.Gain, -0.1, 0.1));
    }

    [Theory]
    [MemberData(nameof(ImagingPairs))]
    public void Interpolation_RejectsImagesByAtLeast100Db(int inputRate, int outputRate)
    {
        var design = PolyphaseDesign.For(inputRate, outputRate)!;
        var worst = (Rejection: double.MaxValue, Tone: 0.0, Image: 0.0);
        foreach (var f in ToneAnalysis.Sweep(300.37, design.PassbandEndHz - 0.41, 12))
        {
            var output = AnalysedOutput(ToneAnalysis.Tone(f, inputRate, InputLength(inputRate)), inputRate, outputRate);
            var tone = ToneAnalysis.LevelDb(output, f, outputRate);
            foreach (var image in ToneAnalysis.ImageFrequencies(f, inputRate, outputRate, design.Up))
            {
                var rejection = tone - ToneAnalysis.LevelDb(output, image, outputRate);
                if (rejection < worst.Rejection)
                {
                    worst = (rejection, f, image);
                }
            }
        }

        ResamplerFigures.Report(
            $"{inputRate}->{outputRate}: image rejection {worst.Rejection:F1} dB (worst: tone {worst.Tone:F0} Hz, image at {worst.Image:F0} Hz; 12 tones 300-{design.PassbandEndHz:F0} Hz)");
        Assert.True(worst.Rejection >= 100, $"image rejection {worst.Rejection:F1} dB");
    }

    [Theory]
    [MemberData(nameof(AliasingPairs))]
    public void Decimation_RejectsAliasesByAtLeast100Db(int inputRate, int outputRate)
    {
        // A lone stopband tone would leave an alias far below 1 LSB, which rounding to int16 erases to exact
        // zeros (a reading of "infinite" rejection). A −30 dBFS passband carrier keeps the rounding error
        // noise-like so the alias stays measurable, as it would be under real speech. The reference is a
        // passband tone of the stopband tone's own input level (−1.3 dBFS, so the sum stays below full scale).
        const double carrierAmplitude = 32767 * 0.0316;
        const double carrier = 997.3;
        const double amplitude = ToneAnalysis.ToneAmplitude - carrierAmplitude;
        var design = PolyphaseDesign.For(inputRate, outputRate)!;
        var reference = ToneAnalysis.LevelDb(AnalysedOutput(ToneAnalysis.Tone(1499.7, inputRate, InputLength(inputRate), amplitude), inputRate, outputRate), 1499.7, outputRate);
        var worst = (Rejection: double.MaxValue, Tone: 0.0, Alias: 0.0);
        var worstInBand = double.MaxValue;
        foreach (var g in ToneAnalysis.Sweep(design.StopbandStartHz + 0.3, (inputRate / 2.0) - 100.3, 30))
        {
            var alias = ToneAnalysis.Fold(g, outputRate);
            if (alias < 50 || alias > (outputRate / 2.0) - 50 || Math.Abs(alias - carrier) < 100)
            {
                continue; // next to DC or Nyquist a single-frequency DFT also sees the mirror; not a fair reading
            }

            var input = ToneAnalysis.Tones(inputRate, InputLength(inputRate), (g, amplitude), (carrier, carrierAmplitude));
            var rejection = reference - ToneAnalysis.LevelDb(AnalysedOutput(input, inputRate, outputRate), alias, outputRate);
            if (rejection < worst.Rejection)
            {
                worst = (rejection, g, alias);
            }

            if (alias <= design.PassbandEndHz)
            {
                worstInBand = Math.Min(worstInBand, rejection);
            }
        }

        ResamplerFigures.Report(
            $"{inputRate}->{outputRate}: alias rejection into 0-{design.PassbandEndHz:F0} Hz {worstInBand:F1} dB; " +
            $"worst anywhere {worst.Rejection:F1} dB (tone {worst.Tone:F0} Hz -> {worst.Alias:F0} Hz; 30 tones {design.StopbandStartHz:F0}-{inputRate / 2 - 100} Hz)");
        Assert.True(worstInBand >= 100, $"alias rejection into the passband {worstInBand:F1} dB");
        Assert.True(worst.Rejection >= 100, $"alias rejection {worst.Rejection:F1} dB");
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void Delay_IsAtMostThreeMillisecondsAndMatchesTheDesign(int inputRate, int outputRate)
    {
        // A band-limited click (Kaiser-windowed sinc, cut at 80 % of the passband) centred at 50 ms. The passband
        // is flat and linear-phase, so the output is the same symmetric pulse, delayed; the energy centroid of a
        // band-limited symmetric pulse sampled above twice its bandwidth is exactly its centre.
        var design = PolyphaseDesign.For(inputRate, outputRate)!;
        var pulseLength = (inputRate / 100) + 1;
        var pulse = KaiserWindowedSinc.Design(pulseLength, 0.8 * design.PassbandEndHz, inputRate, 8);
        var peak = pulse.Max();
        var input = new short[inputRate / 10];
        var start = (inputRate / 20) - (pulseLength / 2);
        for (var k = 0; k < pulseLength; k++)
        {
            input[start + k] = (short)Math.Round(pulse[k] / peak * 20000);
        }

        var output = ToneAnalysis.ResampleInFrames(inputRate, outputRate, input);
        var measured = (Centroid(output) / outputRate - Centroid(input) / inputRate) * 1000;

        ResamplerFigures.Report($"{inputRate}->{outputRate}: delay {measured:F3} ms measured, {design.DelayMilliseconds:F3} ms designed");
        Assert.True(design.DelayMilliseconds <= 3.0);
        Assert.InRange(measured, design.DelayMilliseconds - 0.02, design.DelayMilliseconds + 0.02);
        Assert.Equal(design.DelayMilliseconds, Resampler.Create(inputRate, outputRate).DelayMilliseconds);
    }

    [Theory]
    [InlineData(8000, 24000)]
    [InlineData(16000, 24000)]
    [InlineData(48000, 24000)]
    public void Design_FloatTapsMeetTheBarsBetweenTheTestTones(int inputRate, int outputRate)
    {
        // The tone sweeps sample the response at a few dozen points; this evaluates the float taps' own
        // frequency response every 5 Hz, so a stopband lobe between two test tones cannot hide.
        var design = PolyphaseDesign.For(inputRate, outputRate)!;
        var filterRate = (double)inputRate * design.Up;
        var taps = design.Prototype.Select(h => (double)(float)h / design.Up).ToArray();
        double minPass = double.MaxValue, maxPass = double.MinValue, worstStop = double.MinValue;
        for (var f = 0.0; f <= filterRate / 2; f += 5)
        {
            var gain = 20 * Math.Log10(Math.Max(Magnitude(taps, f / filterRate), 1e-15));
            if (f >= 300 && f <= design.PassbandEndHz)
            {
                minPass = Math.Min(minPass, gain);
                maxPass = Math.Max(maxPass, gain);
            }
            else if (f >= design.StopbandStartHz)
            {
                worstStop = Math.Max(worstStop, gain);
            }
        }

        ResamplerFigures.Report(
            $"{inputRate}<->{outputRate} design: {design.Taps} taps at {filterRate / 1000:F0} kHz, passband 300-{design.PassbandEndHz:F0} Hz ripple {maxPass - minPass:F5} dB, " +
            $"stopband from {design.StopbandStartHz:F0} Hz {-worstStop:F1} dB, delay {design.DelayMilliseconds:F3} ms");
        Assert.True(maxPass - minPass <= 0.1);
        Assert.True(worstStop <= -100);
    }

    private static double Magnitude(double[] taps, double normalisedFrequency)
    {
        double re = 0, im = 0;
        for (var k = 0; k < taps.Length; k++)
        {
            re += taps[k] * Math.Cos(2 * Math.PI * normalisedFrequency * k);
            im -= taps[k] * Math.Sin(2 * Math.PI * normalisedFrequency * k);
        }

        return Math.Sqrt((re * re) + (im * im));
    }

    private static double Centroid(short[] signal)
    {
        double weighted = 0, energy = 0;
        for (var n = 0; n < signal.Length; n++)
        {
            var e = (double)signal[n] * signal[n];
            weighted += n * e;
            energy += e;
        }

        return weighted / energy;
    }

    private static int InputLength(int inputRate) => (int)(inputRate * (WarmUpSeconds + AnalysisSeconds + 0.02));

    private static double OutputLevel(double frequency, int inputRate, int outputRate, out double inputLevel)
    {
        var input = ToneAnalysis.Tone(frequency, inputRate, InputLength(inputRate));
        var inputWarmUp = (int)(WarmUpSeconds * inputRate);
        inputLevel = ToneAnalysis.LevelDb(input.AsSpan(inputWarmUp, (int)(AnalysisSeconds * inputRate)), frequency, inputRate);
        return ToneAnalysis.LevelDb(AnalysedOutput(input, inputRate, outputRate), frequency, outputRate);
    }

    /// <summary>The steady-state part of the output: 40 ms warm-up dropped, 0.5 s kept.</summary>
    private static short[] AnalysedOutput(short[] input, int inputRate, int outputRate)
    {
        var output = ToneAnalysis.ResampleInFrames(inputRate, outputRate, input);
        return output.AsSpan((int)(WarmUpSeconds * outputRate), (int)(AnalysisSeconds * outputRate)).ToArray();
    }
}
