using System.Numerics;

namespace VoiceBridge.Server.Ops;

/// <summary>
/// Latencies counted into log-spaced buckets without a lock (one interlocked increment per value): eight buckets per
/// power of two of microseconds, so a percentile read from it is within about 9 % of the true value. The hop is
/// recorded per audio frame, on the call's own loops, so recording must cost next to nothing and never allocate.
/// </summary>
internal sealed class OpsHistogram
{
    private const int SubBuckets = 8;
    private const int SubBits = 3;
    private const int Powers = 40;

    private readonly long[] _counts = new long[Powers * SubBuckets];

    public static int BucketCount => Powers * SubBuckets;

    public void Record(TimeSpan value)
    {
        var micros = value.Ticks / 10;
        Interlocked.Increment(ref _counts[Bucket(micros)]);
    }

    /// <summary>Adds this histogram's counts to <paramref name="totals"/> (length <see cref="BucketCount"/>).</summary>
    public void AddTo(long[] totals)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            totals[i] += Volatile.Read(ref _counts[i]);
        }
    }

    /// <summary>The <paramref name="quantile"/> (0–1) of the merged counts in milliseconds, or null when there are none.</summary>
    public static double? Percentile(long[] totals, double quantile)
    {
        long count = 0;
        foreach (var n in totals)
        {
            count += n;
        }

        if (count == 0)
        {
            return null;
        }

        var rank = (long)Math.Ceiling(quantile * count);
        long seen = 0;
        for (var i = 0; i < totals.Length; i++)
        {
            seen += totals[i];
            if (seen >= Math.Max(1, rank))
            {
                return Math.Round(Midpoint(i) / 1000.0, 2);
            }
        }

        return Math.Round(Midpoint(totals.Length - 1) / 1000.0, 2);
    }

    internal static int Bucket(long micros)
    {
        var v = (ulong)Math.Max(1, micros);
        var power = 63 - BitOperations.LeadingZeroCount(v);
        if (power >= Powers)
        {
            return (Powers * SubBuckets) - 1;
        }

        var sub = power >= SubBits ? (int)((v >> (power - SubBits)) & (SubBuckets - 1)) : (int)((v << (SubBits - power)) & (SubBuckets - 1));
        return (power * SubBuckets) + sub;
    }

    // The middle of a bucket, in microseconds.
    internal static double Midpoint(int bucket)
    {
        var power = bucket / SubBuckets;
        var sub = bucket % SubBuckets;
        var low = Math.Pow(2, power) * (1 + (sub / (double)SubBuckets));
        var high = Math.Pow(2, power) * (1 + ((sub + 1) / (double)SubBuckets));
        return (low + high) / 2;
    }
}
