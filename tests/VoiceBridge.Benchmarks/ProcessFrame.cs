namespace VoiceBridge.Benchmarks;

/// <summary>The shape shared by our <see cref="Audio.Resampler.Process"/> and <see cref="SpeexResampler.Process"/>.</summary>
public delegate int ProcessFrame(ReadOnlySpan<short> input, Span<short> output);
