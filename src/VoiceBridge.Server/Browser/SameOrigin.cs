using Microsoft.AspNetCore.HostFiltering;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace VoiceBridge.Server.Browser;

/// <summary>
/// Whether a browser request comes from a page this server served (the demo page), by its Origin header. An Origin
/// equal to the request's own <c>scheme://Host</c> is not proof by itself: under DNS rebinding a page on the attacker's
/// domain (resolving to 127.0.0.1) reaches this server with Host and Origin both that domain. So the host must also be a
/// name this server is known by: a loopback name, or one listed in <c>AllowedHosts</c> (a bare <c>*</c> lists none).
/// </summary>
internal sealed class SameOrigin
{
    /// <summary>Names that always mean this machine: a rebinding domain can resolve to 127.0.0.1 but is never called this.</summary>
    public static readonly IReadOnlyList<string> LoopbackHosts = ["localhost", "127.0.0.1", "[::1]"];

    private readonly StringSegment[] _ownHosts;

    public SameOrigin(IOptions<HostFilteringOptions> hosts)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        _ownHosts = [.. LoopbackHosts.Concat(hosts.Value.AllowedHosts.Where(host => host != "*")).Select(host => new StringSegment(host))];
    }

    /// <summary>True when the request carries an Origin equal to this server's own scheme://host[:port], for a host it is known by.</summary>
    public bool IsSameOrigin(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var origin = request.Headers.Origin.ToString();
        return origin.Length > 0
            && string.Equals(origin, request.Scheme + "://" + request.Host.Value, StringComparison.OrdinalIgnoreCase)
            && HostString.MatchesAny(new StringSegment(request.Host.Value), _ownHosts);
    }

    /// <summary>
    /// True for same-origin requests and for requests without browser origin headers (non-browser tools). Browsers
    /// send Origin on every POST and on WebSocket handshakes, and Sec-Fetch-Site on every request (Fetch Metadata).
    /// </summary>
    public bool IsSameOriginOrNone(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0 && site is not ("same-origin" or "none"))
        {
            return false;
        }

        return request.Headers.Origin.Count == 0 || IsSameOrigin(request);
    }
}
