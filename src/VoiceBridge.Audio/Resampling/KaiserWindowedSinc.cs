namespace VoiceBridge.Audio;

/// <summary>Low-pass FIR design by the window method: an ideal sinc shaped by a Kaiser window.</summary>
internal static class KaiserWindowedSinc
{
    /// <summary>
    /// Designs a linear-phase low-pass of <paramref name="taps"/> taps with its −6 dB point at
    /// <paramref name="cutoffHz"/> for a filter running at <paramref name="sampleRate"/>, computed in double.
    /// The result has unit DC gain.
    /// </summary>
    public static double[] Design(int taps, double cutoffHz, double sampleRate, double beta)
    {
        var h = new double[taps];
        var centre = (taps - 1) / 2.0;
        var normalisedCutoff = 2.0 * cutoffHz / sampleRate;
        var windowScale = 1.0 / BesselI0(beta);
        var sum = 0.0;
        for (var k = 0; k < taps; k++)
        {
            var x = k - centre;
            var arg = Math.PI * normalisedCutoff * x;
            var sinc = x == 0 ? 1.0 : Math.Sin(arg) / arg;
            var ratio = x / centre;
            var window = BesselI0(beta * Math.Sqrt(Math.Max(0.0, 1.0 - (ratio * ratio)))) * windowScale;
            h[k] = normalisedCutoff * sinc * window;
            sum += h[k];
        }

        for (var k = 0; k < taps; k++)
        {
            h[k] /= sum;
        }

        return h;
    }

    /// <summary>Kaiser window value at position <paramref name="k"/> of <paramref name="length"/> (used by the analysis in tests too).</summary>
    public static double Window(int k, int length, double beta)
    {
        var ratio = (2.0 * k / (length - 1)) - 1.0;
        return BesselI0(beta * Math.Sqrt(Math.Max(0.0, 1.0 - (ratio * ratio)))) / BesselI0(beta);
    }

    /// <summary>Modified Bessel function of the first kind, order 0, by its power series (converges fast for β ≤ 40).</summary>
    public static double BesselI0(double x)
    {
        var sum = 1.0;
        var term = 1.0;
        var halfX = x / 2.0;
        for (var k = 1; k < 500; k++)
        {
            var factor = halfX / k;
            term *= factor * factor;
            sum += term;
            if (term < 1e-17 * sum)
            {
                break;
            }
        }

        return sum;
    }
}
