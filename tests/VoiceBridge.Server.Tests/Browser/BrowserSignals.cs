namespace VoiceBridge.Server.Tests.Browser;

/// <summary>Speech-like PCM16 test audio and a single-bin spectrum probe.</summary>
internal static class BrowserSignals
{
    public const double Fundamental = 200;

    /// <summary>
    /// Silence, then a voiced tone (200 Hz with 2nd and 3rd harmonics, −12 dBFS peak, 4 Hz syllable envelope), then
    /// silence: loud enough for the simulator's VAD, with a pitch a wrong sample rate would move.
    /// </summary>
    public static byte[] Utterance(int rate, int leadMs, int speechMs, int trailMs)
    {
        var pcm = new short[(leadMs + speechMs + trailMs) * rate / 1000];
        var start = leadMs * rate / 1000;
        var count = speechMs * rate / 1000;
        for (var i = 0; i < count; i++)
        {
            var t = (double)i / rate;
            var envelope = 0.6 + (0.4 * Math.Abs(Math.Sin(Math.PI * 4 * t)));
            var voiced = Math.Sin(2 * Math.PI * Fundamental * t) + (0.5 * Math.Sin(2 * Math.PI * 2 * Fundamental * t)) + (0.25 * Math.Sin(2 * Math.PI * 3 * Fundamental * t));
            pcm[start + i] = (short)(4700 * envelope * voiced);
        }

        var bytes = new byte[pcm.Length * 2];
        Buffer.BlockCopy(pcm, 0, bytes, 0, bytes.Length);
        return bytes;
    }

    /// <summary>Goertzel power of <paramref name="frequency"/> in PCM16 little-endian audio at <paramref name="rate"/>.</summary>
    public static double Power(ReadOnlySpan<byte> pcmBytes, int rate, double frequency)
    {
        var coefficient = 2 * Math.Cos(2 * Math.PI * frequency / rate);
        double s1 = 0, s2 = 0;
        for (var i = 0; i + 1 < pcmBytes.Length; i += 2)
        {
            var sample = (short)(pcmBytes[i] | (pcmBytes[i + 1] << 8)) / 32768.0;
            var s0 = sample + (coefficient * s1) - s2;
            s2 = s1;
            s1 = s0;
        }

        return (s1 * s1) + (s2 * s2) - (coefficient * s1 * s2);
    }
}
