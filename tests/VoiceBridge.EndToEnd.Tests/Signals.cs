using VoiceBridge.Audio;

namespace VoiceBridge.EndToEnd.Tests;

/// <summary>Test signals at 8 kHz and the measurements the end-to-end tests make on what the caller heard.</summary>
internal static class Signals
{
    public const int Rate = 8000;

    /// <summary>
    /// A voiced, speech-like sound: 140 Hz fundamental with harmonics below 3 kHz (inside the resamplers' 3.4 kHz passband), weighted by three formant-like
    /// resonances (500, 1500, 2500 Hz), under a slow raised-sine envelope with a 4 Hz syllable tremor.
    /// </summary>
    public static short[] Voice(double seconds, double silenceAfterSeconds) => Voice(seconds, silenceAfterSeconds, Rate);

    /// <summary>The same voice at <paramref name="rate"/> Hz (the browser and SDK legs speak 24 or 48 kHz).</summary>
    public static short[] Voice(double seconds, double silenceAfterSeconds, int rate)
    {
        var speech = (int)(seconds * rate);
        var pcm = new short[speech + (int)(silenceAfterSeconds * rate)];
        for (var i = 0; i < speech; i++)
        {
            var t = (double)i / rate;
            var envelope = Math.Sin(Math.PI * t / seconds) * (0.75 + (0.25 * Math.Sin(2 * Math.PI * 4 * t)));
            double sample = 0;
            for (var h = 1; 140 * h < 3000; h++)
            {
                var f = 140.0 * h;
                var weight = Formant(f, 500, 120) + (0.6 * Formant(f, 1500, 180)) + (0.3 * Formant(f, 2500, 250));
                sample += weight * Math.Sin((2 * Math.PI * f * t) + h);
            }

            pcm[i] = (short)Math.Clamp(4000 * envelope * sample, short.MinValue, short.MaxValue);
        }

        return pcm;
    }

    /// <summary>A tone with a raised-sine envelope, then silence.</summary>
    public static short[] Tone(double frequency, double seconds, double silenceAfterSeconds)
    {
        var tone = (int)(seconds * Rate);
        var pcm = new short[tone + (int)(silenceAfterSeconds * Rate)];
        for (var i = 0; i < tone; i++)
        {
            var envelope = Math.Sin(Math.PI * i / tone);
            pcm[i] = (short)(9000 * envelope * Math.Sin(2 * Math.PI * frequency * i / Rate));
        }

        return pcm;
    }

    public static byte[] ToMuLaw(short[] pcm)
    {
        var mulaw = new byte[pcm.Length];
        MuLaw.Encode(pcm, mulaw);
        return mulaw;
    }

    public static double[] Decode(ReadOnlySpan<byte> mulaw)
    {
        var pcm = new short[mulaw.Length];
        MuLaw.Decode(mulaw, pcm);
        return [.. pcm.Select(s => (double)s)];
    }

    /// <summary>The lag (in samples) at which <paramref name="reference"/> best matches <paramref name="heard"/>.</summary>
    public static int BestLag(double[] heard, double[] reference)
    {
        var best = 0;
        var bestScore = double.MinValue;
        for (var lag = 0; lag + reference.Length <= heard.Length; lag++)
        {
            double score = 0;
            for (var i = 0; i < reference.Length; i++)
            {
                score += heard[lag + i] * reference[i];
            }

            if (score > bestScore)
            {
                bestScore = score;
                best = lag;
            }
        }

        return best;
    }

    /// <summary>
    /// SNR in dB of <paramref name="heard"/> against <paramref name="reference"/> at the best alignment near
    /// <paramref name="lag"/>: whole samples within ±20 ms (a periodic voice correlates almost as well one pitch period
    /// off) and a fraction of a sample (the resamplers' group delay need not be whole 8 kHz samples: 8↔24 kHz round
    /// trip is 47⅔ samples), with the best gain.
    /// </summary>
    public static (double SnrDb, double Delay) Snr(double[] heard, int lag, double[] reference)
    {
        var best = (SnrDb: double.MinValue, Delay: 0.0);
        for (var step = -10; step <= 10; step++)
        {
            var fraction = step / 20.0;
            var shifted = Delay(reference, fraction);
            for (var whole = Math.Max(0, lag - 160); whole <= lag + 160 && whole + shifted.Length <= heard.Length; whole++)
            {
                var snr = SnrAt(heard, whole, shifted);
                if (snr > best.SnrDb)
                {
                    best = (snr, whole + fraction);
                }
            }
        }

        return best;
    }

    private static double SnrAt(double[] heard, int lag, double[] expected)
    {
        double cross = 0, power = 0, heardPower = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            cross += heard[lag + i] * expected[i];
            power += expected[i] * expected[i];
            heardPower += heard[lag + i] * heard[lag + i];
        }

        // With the least-squares gain g = cross/power: signal = g²·power, noise = heardPower − g²·power.
        var signal = cross * cross / power;
        return 10 * Math.Log10(signal / Math.Max(heardPower - signal, 1e-9));
    }

    /// <summary>Power of <paramref name="signal"/> at <paramref name="frequency"/> (Goertzel).</summary>
    public static double PowerAt(ReadOnlySpan<double> signal, double frequency)
    {
        var coefficient = 2 * Math.Cos(2 * Math.PI * frequency / Rate);
        double s1 = 0, s2 = 0;
        foreach (var x in signal)
        {
            var s0 = x + (coefficient * s1) - s2;
            s2 = s1;
            s1 = s0;
        }

        return (s1 * s1) + (s2 * s2) - (coefficient * s1 * s2);
    }

    /// <summary>
    /// Cross-talk in <paramref name="reply"/>: the strongest of <paramref name="others"/> (Goertzel over the whole reply)
    /// against <paramref name="own"/>, in dB, and which frequency it was. Meaningful on a reply's content only: a tone cut
    /// or interrupted by silence (a player that ran dry, a hang-up) spreads its energy into the neighbouring frequencies,
    /// which this reads as cross-talk from the nearest caller.
    /// </summary>
    public static (double Db, double Frequency) CrossTalk(ReadOnlySpan<double> reply, double own, IEnumerable<double> others)
    {
        var ownPower = PowerAt(reply, own);
        var worst = (Db: double.MinValue, Frequency: double.NaN);
        foreach (var other in others)
        {
            var db = 10 * Math.Log10(PowerAt(reply, other) / ownPower);
            if (db > worst.Db)
            {
                worst = (db, other);
            }
        }

        return worst;
    }

    /// <summary>
    /// The 20 ms frame of <paramref name="reply"/> least like a tone at <paramref name="frequency"/>: the share of its
    /// energy, in dB, that such a tone does not explain, its amplitude free to ramp across the frame (the test tones fade
    /// in and out). A frame of the caller's own tone after the bridge's chain reads about −33 dB (μ-law noise); a frame of
    /// another caller's tone, even the nearest at 37 Hz, reads above −10 dB. Frames under 1 % of the loudest frame's
    /// energy (the fades' ends) are not judged. Frame −1 when none was.
    /// </summary>
    public static (double ShareDb, int Frame) WorstForeignFrame(ReadOnlySpan<double> reply, double frequency)
    {
        const int Samples = 160;
        var frames = reply.Length / Samples;
        var loudest = 0.0;
        for (var k = 0; k < frames; k++)
        {
            loudest = Math.Max(loudest, Energy(reply.Slice(k * Samples, Samples)));
        }

        var worst = (ShareDb: double.MinValue, Frame: -1);
        for (var k = 0; k < frames; k++)
        {
            var frame = reply.Slice(k * Samples, Samples);
            if (loudest == 0 || Energy(frame) < loudest / 100)
            {
                continue;
            }

            var share = 10 * Math.Log10(Math.Max(UnexplainedShare(frame, frequency), 1e-12));
            if (share > worst.ShareDb)
            {
                worst = (share, k);
            }
        }

        return worst;
    }

    /// <summary>The frequency with the most power between <paramref name="low"/> and <paramref name="high"/> Hz.</summary>
    public static double DominantFrequency(ReadOnlySpan<double> signal, double low, double high)
    {
        var coarse = Peak(signal, low, high, 4);
        return Peak(signal, coarse - 4, coarse + 4, 0.25);
    }

    private static double Peak(ReadOnlySpan<double> signal, double low, double high, double step)
    {
        var best = low;
        var bestPower = double.MinValue;
        for (var f = low; f <= high; f += step)
        {
            var power = PowerAt(signal, f);
            if (power > bestPower)
            {
                bestPower = power;
                best = f;
            }
        }

        return best;
    }

    private static double Energy(ReadOnlySpan<double> signal)
    {
        double sum = 0;
        foreach (var x in signal)
        {
            sum += x * x;
        }

        return sum;
    }

    // Least squares of the frame on cos, sin, ramp·cos, ramp·sin at the frequency; the residual's share of the energy.
    // For a least-squares fit the explained energy is the solution's dot product with the right-hand side.
    private static double UnexplainedShare(ReadOnlySpan<double> frame, double frequency)
    {
        const int N = 4;
        Span<double> system = stackalloc double[N * (N + 1)];
        Span<double> basis = stackalloc double[N];
        var omega = 2 * Math.PI * frequency / Rate;
        for (var n = 0; n < frame.Length; n++)
        {
            var ramp = (n - ((frame.Length - 1) / 2.0)) / frame.Length;
            basis[0] = Math.Cos(omega * n);
            basis[1] = Math.Sin(omega * n);
            basis[2] = ramp * basis[0];
            basis[3] = ramp * basis[1];
            for (var i = 0; i < N; i++)
            {
                for (var j = 0; j < N; j++)
                {
                    system[(i * (N + 1)) + j] += basis[i] * basis[j];
                }

                system[(i * (N + 1)) + N] += basis[i] * frame[n];
            }
        }

        Span<double> rhs = stackalloc double[N];
        for (var i = 0; i < N; i++)
        {
            rhs[i] = system[(i * (N + 1)) + N];
        }

        // Gauss-Jordan with partial pivoting on the augmented 4×5 system.
        for (var column = 0; column < N; column++)
        {
            var pivot = column;
            for (var row = column + 1; row < N; row++)
            {
                if (Math.Abs(system[(row * (N + 1)) + column]) > Math.Abs(system[(pivot * (N + 1)) + column]))
                {
                    pivot = row;
                }
            }

            for (var j = 0; j <= N; j++)
            {
                (system[(column * (N + 1)) + j], system[(pivot * (N + 1)) + j]) = (system[(pivot * (N + 1)) + j], system[(column * (N + 1)) + j]);
            }

            for (var row = 0; row < N; row++)
            {
                if (row == column)
                {
                    continue;
                }

                var factor = system[(row * (N + 1)) + column] / system[(column * (N + 1)) + column];
                for (var j = column; j <= N; j++)
                {
                    system[(row * (N + 1)) + j] -= factor * system[(column * (N + 1)) + j];
                }
            }
        }

        double explained = 0;
        for (var i = 0; i < N; i++)
        {
            explained += system[(i * (N + 1)) + N] / system[(i * (N + 1)) + i] * rhs[i];
        }

        var energy = Energy(frame);
        return (energy - explained) / energy;
    }

    // A resonance's gain at f: 1 at the centre, falling off over about a bandwidth either side.
    private static double Formant(double f, double centre, double bandwidth) => 1 / (1 + Math.Pow((f - centre) / bandwidth, 2));

    // Windowed-sinc fractional delay (positive = later).
    private static double[] Delay(double[] signal, double fraction)
    {
        if (fraction == 0)
        {
            return signal;
        }

        const int HalfTaps = 16;
        var output = new double[signal.Length];
        for (var n = 0; n < signal.Length; n++)
        {
            double sum = 0;
            for (var k = -HalfTaps; k <= HalfTaps; k++)
            {
                var index = n - k;
                if (index < 0 || index >= signal.Length)
                {
                    continue;
                }

                var x = k - fraction;
                var sinc = Math.Abs(x) < 1e-12 ? 1 : Math.Sin(Math.PI * x) / (Math.PI * x);
                var window = 0.5 + (0.5 * Math.Cos(Math.PI * x / (HalfTaps + 1)));
                sum += signal[index] * sinc * window;
            }

            output[n] = sum;
        }

        return output;
    }
}
