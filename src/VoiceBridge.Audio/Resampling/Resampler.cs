namespace VoiceBridge.Audio;

/// <summary>
/// A streaming int16 sample-rate converter for one call and one direction. It keeps the filter history
/// across calls to <see cref="Process"/>, so a stream cut into frames of any size gives exactly the same
/// samples as the whole stream in one piece, and it never holds samples back: every input sample's
/// output is written as soon as the filter can compute it.
/// </summary>
public abstract class Resampler
{
    private readonly int _upFactor;
    private readonly int _downFactor;

    private protected Resampler(int inputRate, int outputRate, int upFactor, int downFactor, double delayMilliseconds)
    {
        InputRate = inputRate;
        OutputRate = outputRate;
        _upFactor = upFactor;
        _downFactor = downFactor;
        DelayMilliseconds = delayMilliseconds;
    }

    /// <summary>Input sample rate in Hz.</summary>
    public int InputRate { get; }

    /// <summary>Output sample rate in Hz.</summary>
    public int OutputRate { get; }

    /// <summary>Group delay of the (linear-phase) filter in milliseconds.</summary>
    public double DelayMilliseconds { get; }

    /// <summary>
    /// Creates a resampler. Supported pairs: 8000↔24000 (phone calls), 16000↔24000 and 48000↔24000 (browsers).
    /// Filter designs are computed once per rate pair and shared by all instances.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The rate pair is not supported.</exception>
    public static Resampler Create(int inputRate, int outputRate)
    {
        var design = PolyphaseDesign.For(inputRate, outputRate)
            ?? throw new ArgumentOutOfRangeException(
                nameof(outputRate),
                $"Resampling {inputRate} Hz -> {outputRate} Hz is not supported; supported pairs are 8000<->24000, 16000<->24000 and 48000<->24000.");
        return new PolyphaseResampler(design);
    }

    /// <summary>Whether <see cref="Create"/> supports the pair.</summary>
    public static bool IsSupported(int inputRate, int outputRate) => PolyphaseDesign.For(inputRate, outputRate) is not null;

    /// <summary>
    /// Upper bound on the samples one <see cref="Process"/> call writes for <paramref name="inputLength"/> input
    /// samples, whatever came before: ceil(inputLength · out / in).
    /// </summary>
    public int GetMaxOutputLength(int inputLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputLength);
        return checked((int)(((long)inputLength * _upFactor + _downFactor - 1) / _downFactor));
    }

    /// <summary>
    /// Converts <paramref name="input"/> and writes every output sample it makes computable.
    /// <paramref name="output"/> must hold at least <see cref="GetMaxOutputLength"/>(input.Length) samples.
    /// </summary>
    /// <returns>The number of samples written.</returns>
    public abstract int Process(ReadOnlySpan<short> input, Span<short> output);

    /// <summary>Forgets the history: the next sample is treated as the start of a new stream.</summary>
    public abstract void Reset();
}
