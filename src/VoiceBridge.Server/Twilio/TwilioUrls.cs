namespace VoiceBridge.Server.Twilio;

/// <summary>
/// Rebuilds URLs the way Twilio saw them. Behind a TLS-terminating proxy ASP.NET Core sees
/// <c>http://internal:8080/…</c>, but Twilio signed <c>https://public-host/…</c>
/// (docs/protocols/twilio-media-streams.md#request-signatures), so the public URL comes from <see
/// cref="TwilioOptions.PublicBaseUrl"/> or, failing that, the request's own scheme and host. Those reflect
/// <c>X-Forwarded-Proto</c>/<c>X-Forwarded-Host</c> only when a trusted proxy sent them (the forwarded-headers
/// middleware, <c>ForwardedHeaders:KnownProxies</c>); from anyone else the headers would choose the stream URL written
/// into the TwiML.
/// </summary>
internal static class TwilioUrls
{
    public const string VoicePath = "/twilio/voice";
    public const string MediaPath = "/twilio/media";

    /// <summary>The URL Twilio requested, with the raw query string as sent.</summary>
    public static string RequestUrl(HttpRequest request, TwilioOptions options)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        return PublicBase(request, options, websocket: false) + request.PathBase + request.Path + request.QueryString;
    }

    /// <summary>
    /// The Media Streams URL written into the TwiML, and the URL the upgrade's signature is checked against:
    /// Twilio signs the <c>&lt;Stream url&gt;</c> exactly as written, with its <c>wss://</c> scheme
    /// (docs/protocols/twilio-media-streams.md#signing-the-media-streams-handshake).
    /// </summary>
    public static string MediaStreamUrl(HttpRequest request, TwilioOptions options)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        return PublicBase(request, options, websocket: true) + request.PathBase + MediaPath;
    }

    private static string PublicBase(HttpRequest request, TwilioOptions options, bool websocket)
    {
        if (options.PublicBaseUrl is { } configured)
        {
            var scheme = configured.Scheme;
            var authority = configured.IsDefaultPort ? configured.Host : configured.Authority;
            var basePath = configured.AbsolutePath.TrimEnd('/');
            return Compose(scheme, authority, websocket) + basePath;
        }

        return Compose(request.Scheme, request.Host.Value ?? "localhost", websocket);
    }

    private static string Compose(string scheme, string authority, bool websocket)
    {
        var secure = scheme.Equals("https", StringComparison.OrdinalIgnoreCase) || scheme.Equals("wss", StringComparison.OrdinalIgnoreCase);
        var finalScheme = websocket ? (secure ? "wss" : "ws") : (secure ? "https" : "http");
        return finalScheme + "://" + authority;
    }
}
