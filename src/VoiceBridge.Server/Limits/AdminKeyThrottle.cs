using System.Net;
using Microsoft.Extensions.Options;

namespace VoiceBridge.Server.Limits;

/// <summary>
/// Throttles guessing of admin keys: a token bucket per client IP (<c>Session:RateLimit:AdminFailure*</c>) that only
/// wrong keys drain. An IP with no tokens left is refused before its key is compared, so a throttled guesser cannot
/// tell a right guess from a wrong one; requests in flight hold a token, so parallel guesses cannot overrun the burst.
/// </summary>
internal sealed class AdminKeyThrottle(IOptions<RateLimitOptions> options, TimeProvider time)
{
    /// <summary>Past this many IPs, buckets that are full and idle are forgotten (they hold nothing a fresh one would not).</summary>
    private const int PruneAbove = 10_000;

    private readonly double _burst = options.Value.AdminFailureBurst;
    private readonly TimeSpan _refill = TimeSpan.FromMinutes(1) / options.Value.AdminFailuresPerMinute;
    private readonly Dictionary<IPAddress, Bucket> _buckets = [];
    private readonly Lock _lock = new();

    /// <summary>Starts an attempt from <paramref name="address"/>; null when it may go ahead, else how long it must wait.</summary>
    public TimeSpan? TryBegin(IPAddress? address)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            var bucket = BucketOf(address ?? IPAddress.None, now);
            if (bucket.Tokens - bucket.InFlight < 1)
            {
                var missing = bucket.InFlight + 1 - bucket.Tokens;
                return TimeSpan.FromTicks((long)Math.Ceiling(missing * _refill.Ticks));
            }

            bucket.InFlight++;
            return null;
        }
    }

    /// <summary>Ends an attempt begun with <see cref="TryBegin"/>; a wrong key spends a token.</summary>
    public void End(IPAddress? address, bool failed)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            var bucket = BucketOf(address ?? IPAddress.None, now);
            bucket.InFlight--;
            if (failed)
            {
                bucket.Tokens = Math.Max(0, bucket.Tokens - 1);
            }
        }
    }

    private Bucket BucketOf(IPAddress address, DateTimeOffset now)
    {
        if (!_buckets.TryGetValue(address, out var bucket))
        {
            if (_buckets.Count >= PruneAbove)
            {
                Prune(now);
            }

            bucket = new Bucket { Tokens = _burst, Updated = now };
            _buckets.Add(address, bucket);
            return bucket;
        }

        Refill(bucket, now);
        return bucket;
    }

    private void Refill(Bucket bucket, DateTimeOffset now)
    {
        var elapsed = now - bucket.Updated;
        if (elapsed > TimeSpan.Zero)
        {
            bucket.Tokens = Math.Min(_burst, bucket.Tokens + (elapsed / _refill));
            bucket.Updated = now;
        }
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (address, bucket) in _buckets)
        {
            Refill(bucket, now);
            if (bucket.InFlight == 0 && bucket.Tokens >= _burst)
            {
                _buckets.Remove(address);
            }
        }
    }

    private sealed class Bucket
    {
        public double Tokens { get; set; }

        public DateTimeOffset Updated { get; set; }

        public int InFlight { get; set; }
    }
}
