using System.ComponentModel.DataAnnotations;

namespace VoiceBridge.Server.Twilio;

/// <summary>Configuration section <c>Twilio</c>.</summary>
internal sealed class TwilioOptions
{
    public const string SectionName = "Twilio";

    /// <summary>Turns the Twilio endpoints off for browser-only deployments (then no auth token is needed).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The primary auth token (Twilio signs with the primary only). Falls back to <c>TWILIO_AUTH_TOKEN</c>.</summary>
    public string? AuthToken { get; set; }

    /// <summary>Account SID for REST calls (transfer, hang-up, outbound).</summary>
    public string? AccountSid { get; set; }

    /// <summary>
    /// The public https base URL Twilio uses to reach this server (for example https://bridge.example.com).
    /// When set, signatures are checked against it; otherwise the URL is the request's own, as a trusted proxy forwarded it
    /// (<c>ForwardedHeaders:KnownProxies</c>).
    /// </summary>
    public Uri? PublicBaseUrl { get; set; }

    /// <summary>Base URL of Twilio's REST API; tests point it at a fake server.</summary>
    [Required]
    public Uri ApiBaseUrl { get; set; } = new("https://api.twilio.com");

    /// <summary>How long the per-call stream token stays valid after the webhook answered.</summary>
    [Range(5, 3600)]
    public int CallTokenLifetimeSeconds { get; set; } = 60;

    /// <summary>Key material for call tokens shared by several instances; defaults to one derived from the auth token.</summary>
    public string? CallTokenSecret { get; set; }

    /// <summary>
    /// A mark after every this many 20 ms frames of assistant audio as well as after each delta; 0 (the default): one
    /// mark per delta. Each mark is one more message to Twilio (docs/operations.md#barge-in-precision).
    /// </summary>
    [Range(0, 500)]
    public int MarkEveryFrames { get; set; }

    /// <summary>At a barge-in, advance the caller's playback in real time from the last echoed mark (bounded by the next).</summary>
    public bool InterpolatePlayback { get; set; } = true;

    /// <summary>The playback settings each phone call gets.</summary>
    public PlaybackSettings Playback() => new() { MarkEveryFrames = MarkEveryFrames, Interpolate = InterpolatePlayback };
}
