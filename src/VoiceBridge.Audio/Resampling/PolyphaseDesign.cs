namespace VoiceBridge.Audio;

/// <summary>
/// One rate pair's filter, designed once and shared by every resampler of that pair (a call creates one per
/// direction, and a design costs ~10^4 Bessel evaluations, so it must not be redone per call).
/// </summary>
/// <remarks>
/// The pair is converted as up by <see cref="Up"/> (L), low-pass at L·inputRate, down by <see cref="Down"/> (M).
/// Output m = r·L + c ("cycle" r, "class" c) is Σ_i h[p + i·L]·x[r·M + n0 − i] with p = c·M mod L and
/// n0 = ⌊c·M / L⌋. Splitting x into M streams S_q[t] = x[t·M + q] turns each (class, stream) pair into a short
/// FIR over consecutive stream samples: y[r·L + c] = Σ_q Σ_j g_cq[j]·S_q[r + offset_cq + j]. Consecutive cycles
/// r read consecutive stream samples, which is what lets the filter be vectorised across time.
/// </remarks>
internal sealed class PolyphaseDesign
{
    // Every design below uses a Kaiser window with β = 11.2. Kaiser's rule β = 0.1102·(A − 8.7) gives
    // β = 10.6 for A = 105 dB; sweeping β for the chosen lengths (double precision, then rounded to float,
    // response evaluated every 5 Hz over the stopband) gave the worst stopband lobe:
    //   144 taps @ 24 kHz, fc 4 kHz: β 10.5 → −105.1 dB, β 11.0 → −108.8 dB, β 11.2 → −110.5 dB, β 11.5 → −96.8 dB
    // (past ~11.2 the wider main lobe spills into the 4.6 kHz edge). Passband ripple is ≤ 0.0001 dB for all.
    private const double Beta = 11.2;

    // Phone calls (8 kHz ↔ 24 kHz): passband 0–3.4 kHz, stopband from 4.6 kHz — images of ≤ 3.4 kHz content
    // start at 8 − 3.4 = 4.6 kHz, and content above 4.6 kHz is what would alias into 0–3.4 kHz at 8 kHz.
    // Kaiser's length estimate (A − 7.95)/(2.285·Δω), Δω = 2π·1.2/24, gives 135 taps for 105 dB; 144 taps
    // (48 per branch, a multiple of 8) measures −110.5 dB with a delay of 143/2 samples = 2.98 ms (≤ 3 ms).
    private static readonly Lazy<PolyphaseDesign> Phone8To24 = new(() => new(8000, 24000, 144, 4000, 3400, 4600));
    private static readonly Lazy<PolyphaseDesign> Phone24To8 = new(() => new(24000, 8000, 144, 4000, 3400, 4600));

    // Browsers at 16 kHz: passband 0–7 kHz, stopband from 9 kHz (the same "mirror around the lower Nyquist"
    // rule: images of ≤ 7 kHz start at 16 − 7 = 9 kHz; content above 9 kHz would alias below 7 kHz).
    // Designed at 48 kHz: Δω = 2π·2/48 → 170 taps for 110 dB; 174 taps (divisible by 2 and 3) measures
    // −110.4 dB, delay 173/2 samples at 48 kHz = 1.80 ms.
    private static readonly Lazy<PolyphaseDesign> Browser16To24 = new(() => new(16000, 24000, 174, 8000, 7000, 9000));
    private static readonly Lazy<PolyphaseDesign> Browser24To16 = new(() => new(24000, 16000, 174, 8000, 7000, 9000));

    // Browsers at 48 kHz: passband 0–10 kHz, stopband from 14 kHz (images of ≤ 10 kHz start at 24 − 10 = 14 kHz).
    // Designed at 48 kHz: Δω = 2π·4/48 → 85 taps for 110 dB; 88 taps measures −110.5 dB, delay 0.91 ms.
    private static readonly Lazy<PolyphaseDesign> Browser48To24 = new(() => new(48000, 24000, 88, 12000, 10000, 14000));
    private static readonly Lazy<PolyphaseDesign> Browser24To48 = new(() => new(24000, 48000, 88, 12000, 10000, 14000));

    private readonly float[] _coefficients;
    private readonly int[] _branchStart;
    private readonly int[] _branchLength;
    private readonly int[] _branchOffset;

    private PolyphaseDesign(int inputRate, int outputRate, int taps, double cutoffHz, double passbandEndHz, double stopbandStartHz)
    {
        var gcd = Gcd(inputRate, outputRate);
        InputRate = inputRate;
        OutputRate = outputRate;
        Up = outputRate / gcd;
        Down = inputRate / gcd;
        Taps = taps;
        PassbandEndHz = passbandEndHz;
        StopbandStartHz = stopbandStartHz;
        var filterRate = (double)inputRate * Up;
        DelayMilliseconds = (taps - 1) / 2.0 / filterRate * 1000.0;

        Prototype = KaiserWindowedSinc.Design(taps, cutoffHz, filterRate, Beta);
        NormaliseBranches(Prototype, Up);

        var branches = Up * Down;
        _branchStart = new int[branches];
        _branchLength = new int[branches];
        _branchOffset = new int[branches];
        _coefficients = new float[taps];
        var next = 0;
        var minOffset = 0;
        for (var c = 0; c < Up; c++)
        {
            var phase = c * Down % Up;
            var n0 = c * Down / Up;
            for (var q = 0; q < Down; q++)
            {
                // Taps i whose input x[n0 − i] lies in stream q, oldest sample (largest i) first.
                var b = (c * Down) + q;
                _branchStart[b] = next;
                var lastI = -1;
                for (var i = 0; phase + (i * Up) < taps; i++)
                {
                    if (FloorMod(n0 - i, Down) == q)
                    {
                        lastI = i;
                    }
                }

                if (lastI < 0)
                {
                    continue;
                }

                _branchOffset[b] = FloorDiv(n0 - lastI, Down);
                for (var i = lastI; i >= 0; i -= Down)
                {
                    _coefficients[next++] = (float)Prototype[phase + (i * Up)];
                }

                _branchLength[b] = next - _branchStart[b];
                minOffset = Math.Min(minOffset, _branchOffset[b]);
            }
        }

        MinOffset = minOffset;
    }

    public int InputRate { get; }

    public int OutputRate { get; }

    /// <summary>Interpolation factor L.</summary>
    public int Up { get; }

    /// <summary>Decimation factor M.</summary>
    public int Down { get; }

    public int Taps { get; }

    public double PassbandEndHz { get; }

    public double StopbandStartHz { get; }

    public double DelayMilliseconds { get; }

    /// <summary>The prototype at L·inputRate in double, gain L (each polyphase branch sums to 1).</summary>
    public double[] Prototype { get; }

    /// <summary>The oldest stream sample any output reads, relative to its cycle (≤ 0).</summary>
    public int MinOffset { get; }

    public static PolyphaseDesign? For(int inputRate, int outputRate) => (inputRate, outputRate) switch
    {
        (8000, 24000) => Phone8To24.Value,
        (24000, 8000) => Phone24To8.Value,
        (16000, 24000) => Browser16To24.Value,
        (24000, 16000) => Browser24To16.Value,
        (48000, 24000) => Browser48To24.Value,
        (24000, 48000) => Browser24To48.Value,
        _ => null,
    };

    public ReadOnlySpan<float> Branch(int outputClass, int stream) =>
        _coefficients.AsSpan(_branchStart[(outputClass * Down) + stream], _branchLength[(outputClass * Down) + stream]);

    public int BranchOffset(int outputClass, int stream) => _branchOffset[(outputClass * Down) + stream];

    /// <summary>
    /// Scales each polyphase branch (every L-th tap) to sum to exactly 1, so a constant input gives a constant
    /// output. Without it the branches' DC gains differ by ~1e-5 and a DC offset would leave a faint tone at
    /// the input rate (8 kHz) in the 24 kHz output.
    /// </summary>
    private static void NormaliseBranches(double[] h, int up)
    {
        for (var p = 0; p < up; p++)
        {
            var sum = 0.0;
            for (var k = p; k < h.Length; k += up)
            {
                sum += h[k];
            }

            for (var k = p; k < h.Length; k += up)
            {
                h[k] /= sum;
            }
        }
    }

    private static int FloorDiv(int a, int b) => (int)Math.Floor((double)a / b);

    private static int FloorMod(int a, int b) => ((a % b) + b) % b;

    private static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);
}
