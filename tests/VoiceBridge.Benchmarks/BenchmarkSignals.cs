namespace VoiceBridge.Benchmarks;

/// <summary>20 ms of a speech-like signal (two tones and noise at about −6 dBFS) at any rate, and as μ-law.</summary>
internal static class BenchmarkSignals
{
    public static short[] Frame(int sampleRate)
    {
        var random = new Random(42);
        var samples = new short[sampleRate / 50];
        for (var n = 0; n < samples.Length; n++)
        {
            var t = (double)n / sampleRate;
            samples[n] = (short)((8000 * Math.Sin(2 * Math.PI * 443.1 * t)) + (5000 * Math.Sin(2 * Math.PI * 2711.7 * t)) + (4000 * (random.NextDouble() - 0.5)));
        }

        return samples;
    }

    public static byte[] MuLawFrame()
    {
        var pcm = Frame(8000);
        var codes = new byte[pcm.Length];
        Audio.MuLaw.Encode(pcm, codes);
        return codes;
    }
}
