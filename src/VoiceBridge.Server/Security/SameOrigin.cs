using Microsoft.AspNetCore.HostFiltering;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace VoiceBridge.Server.Security;

/// <summary>
/// Whether a browser request comes from a page this server served (the demo page, the operations dashboard), by its
/// Origin header. For the demo page an Origin equal to the request's own <c>scheme://Host</c> is not proof by itself:
/// under DNS rebinding a page on the attacker's domain (resolving to 127.0.0.1) reaches this server with Host and Origin
/// both that domain, and the demo page mints tokens without a key. So there the host must also be a name this server is
/// known by: a loopback name, or one listed in <c>AllowedHosts</c> (a bare <c>*</c> lists none). The dashboard needs a
/// key to log in and its cookie is bound to the name the operator used, so a rebinding page gains nothing there and
/// <see cref="IsOwnPageOrNone"/> checks the origin alone (docs/security-edge.md).
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
        return OriginIsRequestHost(request) && HostString.MatchesAny(new StringSegment(request.Host.Value), _ownHosts);
    }

    /// <summary>
    /// True for same-origin requests and for requests without browser origin headers (non-browser tools). Browsers
    /// send Origin on every POST and on WebSocket handshakes, and Sec-Fetch-Site on every request (Fetch Metadata).
    /// </summary>
    public bool IsSameOriginOrNone(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return FetchSiteIsOwn(request) && (request.Headers.Origin.Count == 0 || IsSameOrigin(request));
    }

    /// <summary>
    /// Like <see cref="IsSameOriginOrNone"/> without the known-host condition: for endpoints that a key or a host-bound
    /// cookie guards already (the dashboard), where a rebinding page has neither.
    /// </summary>
    public static bool IsOwnPageOrNone(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return FetchSiteIsOwn(request) && (request.Headers.Origin.Count == 0 || OriginIsRequestHost(request));
    }

    private static bool OriginIsRequestHost(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        return origin.Length > 0 && string.Equals(origin, request.Scheme + "://" + request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }

    private static bool FetchSiteIsOwn(HttpRequest request)
    {
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        return site.Length == 0 || site is "same-origin" or "none";
    }
}
