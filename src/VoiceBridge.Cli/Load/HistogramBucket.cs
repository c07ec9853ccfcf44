namespace VoiceBridge.Cli.Load;

/// <summary>One histogram bucket: values from <see cref="LowMicroseconds"/> to <see cref="HighMicroseconds"/> inclusive.</summary>
public sealed record HistogramBucket(long LowMicroseconds, long HighMicroseconds, long Count);
