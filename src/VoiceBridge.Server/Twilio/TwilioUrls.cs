namespace VoiceBridge.Server.Twilio;

/// <summary>
/// Rebuilds URLs the way Twilio saw them. Behind a TLS-terminating proxy ASP.NET Core sees
/// <c>http://internal:8080/…</c>, but Twilio signed <c>https://public-host/…</c>
/// (docs/protocols/twilio-media-streams.md#request-signatures), so the public URL comes from <see
/// cref="TwilioOptions.PublicBaseUrl"/> or, failing that, the forwarded headers. Trusting forwarded headers here is
/// safe: they only choose which URL the HMAC is checked against, and a valid HMAC still needs the auth token.
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
        string scheme;
        string authority;
        if (options.PublicBaseUrl is { } configured)
        {
            scheme = configured.Scheme;
            authority = configured.IsDefaultPort ? configured.Host : configured.Authority;
            var basePath = configured.AbsolutePath.TrimEnd('/');
            return Compose(scheme, authority, websocket) + basePath;
        }

        scheme = FirstValue(request.Headers["X-Forwarded-Proto"]) ?? request.Scheme;
        authority = FirstValue(request.Headers["X-Forwarded-Host"]) ?? request.Host.Value ?? "localhost";
        return Compose(scheme, authority, websocket);
    }

    private static string Compose(string scheme, string authority, bool websocket)
    {
        var secure = scheme.Equals("https", StringComparison.OrdinalIgnoreCase) || scheme.Equals("wss", StringComparison.OrdinalIgnoreCase);
        var finalScheme = websocket ? (secure ? "wss" : "ws") : (secure ? "https" : "http");
        return finalScheme + "://" + authority;
    }

    private static string? FirstValue(Microsoft.Extensions.Primitives.StringValues values)
    {
        var value = values.ToString();
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        // Proxies append: "https, http" — the first entry is the one the client used.
        var comma = value.IndexOf(',', StringComparison.Ordinal);
        return (comma >= 0 ? value[..comma] : value).Trim();
    }
}
