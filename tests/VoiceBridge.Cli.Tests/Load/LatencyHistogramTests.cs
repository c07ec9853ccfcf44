using VoiceBridge.Cli.Load;

namespace VoiceBridge.Cli.Tests.Load;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void Percentiles_OfKnownValues_AreWithinOneBucket()
    {
        var histogram = new LatencyHistogram();
        // 1..100,000 µs once each: the p-th percentile is p % of 100,000.
        for (var v = 1; v <= 100_000; v++)
        {
            histogram.Record(v);
        }

        Assert.Equal(100_000, histogram.Count);
        Assert.Equal(100_000, histogram.MaxMicroseconds);
        foreach (var (p, expected) in new[] { (50.0, 50_000.0), (99.0, 99_000.0), (99.9, 99_900.0) })
        {
            var value = histogram.Percentile(p);
            Assert.True(Math.Abs(value - expected) <= expected / 64, $"p{p}: {value} vs {expected}");
        }
    }

    [Fact]
    public void Buckets_CoverEveryValueOnce_AndStayWithinOneSixtyFourth()
    {
        var previousHigh = -1L;
        for (var index = 0; index < 2000; index++)
        {
            var (low, high) = LatencyHistogram.Bounds(index);
            Assert.Equal(previousHigh + 1, low);
            Assert.True(high - low <= Math.Max(0, low / 64), $"bucket {index}: {low}–{high}");
            Assert.Equal(index, LatencyHistogram.IndexOf(low));
            Assert.Equal(index, LatencyHistogram.IndexOf(high));
            previousHigh = high;
        }
    }

    [Fact]
    public void Record_SmallAndNegativeValues_AreExactAndClamped()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(-5);
        histogram.Record(7);
        histogram.Record(7);

        Assert.Equal(3, histogram.Count);
        Assert.Equal(7, histogram.Percentile(100));
        Assert.Equal(0, histogram.Percentile(1));
        Assert.Equal([new HistogramBucket(0, 0, 1), new HistogramBucket(7, 7, 2)], histogram.Buckets());
    }
}
