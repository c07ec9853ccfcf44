using System.Collections.Concurrent;

namespace VoiceBridge.Audio.Tests.Resampling;

/// <summary>Test signals and single-frequency spectrum measurement (windowed DFT at an exact frequency).</summary>
internal static class ToneAnalysis
{
    /// <summary>−1 dBFS peak.</summary>
    public const double ToneAmplitude = 32767 * 0.891250938;

    // Analysis window: Kaiser β = 20, sidelobes ≈ −150 dB, so a −1 dBFS tone leaks nothing measurable into a
    // bin ≥ 100 Hz away (main lobe ±6.5 bins; 2 Hz bins at 0.5 s). A 4-term Blackman-Harris (−92 dB) would
    // not be clean enough to see a −110 dB image.
    private const double WindowBeta = 20;

    private static readonly ConcurrentDictionary<int, double[]> Windows = new();

    public static short[] Tone(double frequency, int sampleRate, int length, double amplitude = ToneAmplitude) =>
        Tones(sampleRate, length, (frequency, amplitude));

    public static short[] Tones(int sampleRate, int length, params (double Frequency, double Amplitude)[] tones)
    {
        var samples = new short[length];
        for (var n = 0; n < length; n++)
        {
            var value = 0.0;
            foreach (var (frequency, amplitude) in tones)
            {
                value += amplitude * Math.Sin((2 * Math.PI * frequency * n / sampleRate) + 0.3);
            }

            samples[n] = (short)Math.Round(value);
        }

        return samples;
    }

    /// <summary>Runs the whole signal through a fresh resampler in 20 ms frames.</summary>
    public static short[] ResampleInFrames(int inputRate, int outputRate, ReadOnlySpan<short> input)
    {
        var resampler = Resampler.Create(inputRate, outputRate);
        var frame = inputRate / 50;
        var output = new short[resampler.GetMaxOutputLength(input.Length)];
        var written = 0;
        for (var start = 0; start < input.Length; start += frame)
        {
            var chunk = input.Slice(start, Math.Min(frame, input.Length - start));
            written += resampler.Process(chunk, output.AsSpan(written));
        }

        Assert.Equal(output.Length, written);
        return output;
    }

    /// <summary>Peak amplitude (dB re full scale) of the component at <paramref name="frequency"/>.</summary>
    public static double LevelDb(ReadOnlySpan<short> signal, double frequency, int sampleRate)
    {
        var n = signal.Length;
        var window = Windows.GetOrAdd(n, static length =>
            [.. Enumerable.Range(0, length).Select(k => KaiserWindowedSinc.Window(k, length, WindowBeta))]);
        double re = 0, im = 0, windowSum = 0;
        var step = 2 * Math.PI * frequency / sampleRate;
        for (var k = 0; k < n; k++)
        {
            var w = window[k];
            windowSum += w;
            re += w * signal[k] * Math.Cos(step * k);
            im -= w * signal[k] * Math.Sin(step * k);
        }

        var amplitude = 2 * Math.Sqrt((re * re) + (im * im)) / windowSum;
        return 20 * Math.Log10(Math.Max(amplitude, 1e-12) / 32767.0);
    }

    /// <summary>Where a frequency at <paramref name="sampleRate"/> appears once folded into 0…rate/2.</summary>
    public static double Fold(double frequency, int sampleRate)
    {
        var f = frequency % sampleRate;
        if (f < 0)
        {
            f += sampleRate;
        }

        return f > sampleRate / 2.0 ? sampleRate - f : f;
    }

    /// <summary>
    /// The frequencies where images of an input tone can appear at the output: k·inputRate ± f at the filter
    /// rate L·inputRate, then folded by the output rate. Frequencies within 50 Hz of the tone are left out.
    /// </summary>
    public static IReadOnlyList<double> ImageFrequencies(double frequency, int inputRate, int outputRate, int up)
    {
        var images = new SortedSet<double>();
        for (var k = 1; k < up; k++)
        {
            foreach (var image in new[] { (k * inputRate) - frequency, (k * inputRate) + frequency })
            {
                var atOutput = Fold(Fold(image, up * inputRate), outputRate);
                if (Math.Abs(atOutput - frequency) > 50)
                {
                    images.Add(Math.Round(atOutput, 3));
                }
            }
        }

        return [.. images];
    }

    public static double[] Sweep(double from, double to, int count)
    {
        var result = new double[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = from + ((to - from) * i / (count - 1));
        }

        return result;
    }
}
