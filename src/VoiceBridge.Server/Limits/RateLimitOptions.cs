using System.ComponentModel.DataAnnotations;

namespace VoiceBridge.Server.Limits;

/// <summary>
/// Configuration section <c>Session:RateLimit</c>: a token bucket per client IP over the call endpoints (webhook,
/// media WebSocket, realtime WebSocket, client secrets), and one over failed admin-key attempts. Twilio reaches the webhook and the media stream from a
/// small set of its own addresses, so the defaults are sized for a busy trunk, not for one person.
/// </summary>
internal sealed class RateLimitOptions
{
    public const string SectionName = "Session:RateLimit";

    /// <summary>Off only behind a proxy that limits already (then every request shares the proxy's address).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Sustained requests per minute per IP, over all call endpoints together.</summary>
    [Range(1, 1_000_000)]
    public int PermitsPerMinute { get; set; } = 1200;

    /// <summary>Requests an IP may make at once before the sustained rate applies.</summary>
    [Range(1, 100_000)]
    public int Burst { get; set; } = 200;

    /// <summary>
    /// Wrong admin keys an IP may present per minute, sustained. Always on, even with <see cref="Enabled"/> off: a
    /// proxy's rate limit does not know which requests failed authentication.
    /// </summary>
    [Range(1, 10_000)]
    public int AdminFailuresPerMinute { get; set; } = 10;

    /// <summary>Wrong admin keys an IP may present in a row before it is answered 429 (right keys included) until it refills.</summary>
    [Range(1, 10_000)]
    public int AdminFailureBurst { get; set; } = 10;
}
