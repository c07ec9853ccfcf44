using System.ComponentModel.DataAnnotations;

namespace VoiceBridge.Server.Limits;

/// <summary>
/// Configuration section <c>Session:RateLimit</c>: a token bucket per client IP over the call endpoints (webhook,
/// media WebSocket, realtime WebSocket, client secrets). Twilio reaches the webhook and the media stream from a
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
}
