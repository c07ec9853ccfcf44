using System.Numerics;

namespace VoiceBridge.Cli.Load;

/// <summary>
/// A fixed-size log-linear histogram of microsecond values, in the manner of HdrHistogram: values under 128 µs have
/// a bucket each; above, every power of two is split into 64 equal buckets, so a recorded value is known to within
/// 1/64 (1.6 %) from 128 µs up to 2^40 µs. Recording is one array increment (Interlocked, any thread), no allocation.
/// </summary>
public sealed class LatencyHistogram
{
    private const int SubBits = 7;
    private const int Linear = 1 << SubBits;       // 128 exact buckets
    private const int PerOctave = Linear / 2;      // 64 buckets per power of two above
    private const int MaxTopBit = 40;
    private const int BucketCount = Linear + ((MaxTopBit - SubBits + 1) * PerOctave);

    private readonly long[] _counts = new long[BucketCount];
    private long _total;
    private long _max;
    private long _sum;

    public long Count => Interlocked.Read(ref _total);

    public long MaxMicroseconds => Interlocked.Read(ref _max);

    /// <summary>Records one value; negative values (clock reads on two cores) count as zero.</summary>
    public void Record(long microseconds)
    {
        var value = Math.Max(0, microseconds);
        Interlocked.Increment(ref _counts[IndexOf(value)]);
        Interlocked.Increment(ref _total);
        Interlocked.Add(ref _sum, value);
        var max = Interlocked.Read(ref _max);
        while (value > max)
        {
            var seen = Interlocked.CompareExchange(ref _max, value, max);
            if (seen == max)
            {
                break;
            }

            max = seen;
        }
    }

    /// <summary>Records the time between two <see cref="TimeProvider.GetTimestamp"/> readings of the system clock.</summary>
    public void RecordElapsed(long fromTimestamp, long toTimestamp) =>
        Record((long)((toTimestamp - fromTimestamp) * 1_000_000.0 / TimeProvider.System.TimestampFrequency));

    /// <summary>The value at <paramref name="percentile"/> (0–100) in microseconds: the middle of its bucket; 0 when empty.</summary>
    public double Percentile(double percentile)
    {
        var total = Count;
        if (total == 0)
        {
            return 0;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(percentile / 100 * total));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += Interlocked.Read(ref _counts[i]);
            if (seen >= rank)
            {
                var (low, high) = Bounds(i);
                return Math.Min((low + high) / 2.0, MaxMicroseconds);
            }
        }

        return MaxMicroseconds;
    }

    public double MeanMicroseconds => Count == 0 ? 0 : Interlocked.Read(ref _sum) / (double)Count;

    /// <summary>Non-empty buckets as (lowest µs, highest µs, count), for reports.</summary>
    public IReadOnlyList<HistogramBucket> Buckets()
    {
        var buckets = new List<HistogramBucket>();
        for (var i = 0; i < _counts.Length; i++)
        {
            var count = Interlocked.Read(ref _counts[i]);
            if (count > 0)
            {
                var (low, high) = Bounds(i);
                buckets.Add(new HistogramBucket(low, high, count));
            }
        }

        return buckets;
    }

    internal static int IndexOf(long value)
    {
        if (value < Linear)
        {
            return (int)value;
        }

        var top = 63 - BitOperations.LeadingZeroCount((ulong)value);
        if (top > MaxTopBit)
        {
            return BucketCount - 1;
        }

        var shift = top - (SubBits - 1);
        var mantissa = (int)(value >> shift); // 64..127
        return Linear + ((shift - 1) * PerOctave) + (mantissa - PerOctave);
    }

    internal static (long Low, long High) Bounds(int index)
    {
        if (index < Linear)
        {
            return (index, index);
        }

        var k = index - Linear;
        var shift = (k / PerOctave) + 1;
        var mantissa = (long)((k % PerOctave) + PerOctave);
        return (mantissa << shift, ((mantissa + 1) << shift) - 1);
    }
}
