using System.ComponentModel.DataAnnotations;

namespace VoiceBridge.Server.Hosting;

/// <summary>
/// Configuration section <c>ForwardedHeaders</c>: the reverse proxies whose <c>X-Forwarded-For</c>, <c>-Proto</c> and
/// <c>-Host</c> the server believes (ASP.NET Core's forwarded-headers middleware). From any other sender those headers
/// are ignored: they would choose the stream URL in the TwiML, the URL Twilio signatures are checked against, and the
/// client address the rate limits count by.
/// </summary>
internal sealed class TrustedProxyOptions
{
    public const string SectionName = "ForwardedHeaders";

    /// <summary>A proxy on the same machine (nginx, Caddy, a sidecar): trusted unless <see cref="KnownProxies"/> is set.</summary>
    public const string Loopback = "127.0.0.1,::1";

    /// <summary>
    /// The proxies' addresses, comma-separated (or a list, <c>ForwardedHeaders__KnownProxies__0</c>). Setting it replaces
    /// the loopback default; empty trusts no single address. A string, not a list: configuration binding appends a
    /// bound list to its defaults instead of replacing them.
    /// </summary>
    public string KnownProxies { get; set; } = Loopback;

    /// <summary>Networks the proxies are in, CIDR, comma-separated (e.g. <c>10.0.0.0/8</c> for a cluster's ingress). Default none.</summary>
    public string KnownNetworks { get; set; } = string.Empty;

    /// <summary>How many proxies in a chain are believed, nearest first; each must be known. One for a single proxy.</summary>
    [Range(1, 10)]
    public int ForwardLimit { get; set; } = 1;

    /// <summary>The entries of a comma-separated setting.</summary>
    public static string[] Entries(string? list) =>
        (list ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
