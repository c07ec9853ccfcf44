namespace VoiceBridge.Cli.Load;

/// <summary>A latency distribution in milliseconds (values within 1.6 %, see <see cref="LatencyHistogram"/>).</summary>
public sealed record LatencySummary
{
    public long Count { get; init; }

    public double P50Ms { get; init; }

    public double P99Ms { get; init; }

    public double P999Ms { get; init; }

    public double MaxMs { get; init; }

    public double MeanMs { get; init; }

    public IReadOnlyList<HistogramBucket> Buckets { get; init; } = [];

    public static LatencySummary From(LatencyHistogram histogram, bool withBuckets = true) => new()
    {
        Count = histogram.Count,
        P50Ms = histogram.Percentile(50) / 1000,
        P99Ms = histogram.Percentile(99) / 1000,
        P999Ms = histogram.Percentile(99.9) / 1000,
        MaxMs = histogram.MaxMicroseconds / 1000.0,
        MeanMs = histogram.MeanMicroseconds / 1000,
        Buckets = withBuckets ? histogram.Buckets() : [],
    };
}
