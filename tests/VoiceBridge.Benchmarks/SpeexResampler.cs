namespace VoiceBridge.Benchmarks;

/// <summary>One speexdsp resampler state (mono, int16), the comparator for our <see cref="Audio.Resampler"/>.</summary>
internal sealed unsafe class SpeexResampler : IDisposable
{
    private nint _state;

    public SpeexResampler(int inputRate, int outputRate, int quality)
    {
        int error;
        _state = SpeexDsp.Init(1, (uint)inputRate, (uint)outputRate, quality, &error);
        if (_state == 0 || error != 0)
        {
            throw new InvalidOperationException($"speex_resampler_init({inputRate}, {outputRate}, q{quality}) failed with error {error}.");
        }
    }

    /// <summary>Resamples one block; returns the samples written (speex consumes all input when the output has room).</summary>
    public int Process(ReadOnlySpan<short> input, Span<short> output)
    {
        var inputLength = (uint)input.Length;
        var outputLength = (uint)output.Length;
        fixed (short* inputPointer = input)
        fixed (short* outputPointer = output)
        {
            var error = SpeexDsp.ProcessInt(_state, 0, inputPointer, &inputLength, outputPointer, &outputLength);
            if (error != 0)
            {
                throw new InvalidOperationException($"speex_resampler_process_int failed with error {error}.");
            }
        }

        return (int)outputLength;
    }

    public void Dispose()
    {
        if (_state != 0)
        {
            SpeexDsp.Destroy(_state);
            _state = 0;
        }
    }
}
