namespace VoiceBridge.Server.Security;

/// <summary>Whether a browser request comes from a page this server served (the demo page, the operations dashboard), by its Origin header.</summary>
internal static class SameOrigin
{
    /// <summary>True when the request carries an Origin equal to this server's own scheme://host[:port].</summary>
    public static bool IsSameOrigin(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var origin = request.Headers.Origin.ToString();
        return origin.Length > 0 && string.Equals(origin, request.Scheme + "://" + request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// True for same-origin requests and for requests without browser origin headers (non-browser tools). Browsers
    /// send Origin on every POST and on WebSocket handshakes, and Sec-Fetch-Site on every request (Fetch Metadata).
    /// </summary>
    public static bool IsSameOriginOrNone(HttpRequest request)
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
