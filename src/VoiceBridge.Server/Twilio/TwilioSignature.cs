using System.Security.Cryptography;
using System.Text;

namespace VoiceBridge.Server.Twilio;

/// <summary>
/// Computes and checks <c>X-Twilio-Signature</c> exactly as Twilio signs requests
/// (docs/protocols/twilio-media-streams.md#request-signatures): the full URL as Twilio requested it, then every form
/// parameter as name+value in ordinal order of names, HMAC-SHA1 keyed with the account auth token, base64.
/// </summary>
internal static class TwilioSignature
{
    /// <summary>The signature Twilio would send for <paramref name="url"/> and <paramref name="parameters"/>.</summary>
    public static string Compute(string authToken, string url, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        ArgumentNullException.ThrowIfNull(authToken);
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(parameters);

        var data = new StringBuilder(url);
        // Ordinal, never culture-aware: Twilio's own C# validator sorts with StringComparer.Ordinal
        // (docs/protocols/twilio-media-streams.md#request-signatures, step 2). Repeated names keep their relative
        // order, as Twilio's C# library does not special-case repeats.
        foreach (var (name, value) in parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            data.Append(name).Append(value);
        }

        // HMAC-SHA1 is Twilio's algorithm, not our choice; HMAC does not rely on SHA-1's collision resistance.
#pragma warning disable CA5350
        var mac = HMACSHA1.HashData(Encoding.UTF8.GetBytes(authToken), Encoding.UTF8.GetBytes(data.ToString()));
#pragma warning restore CA5350
        return Convert.ToBase64String(mac);
    }

    /// <summary>
    /// True when <paramref name="signature"/> matches the URL as given, the URL without its port, or the URL with
    /// the scheme's default port added — Twilio's libraries accept either because Twilio is inconsistent about
    /// ports (docs/protocols/twilio-media-streams.md#ports). Constant-time comparison.
    /// </summary>
    public static bool IsValid(string authToken, string url, IEnumerable<KeyValuePair<string, string>> parameters, string? signature)
    {
        if (string.IsNullOrEmpty(signature) || string.IsNullOrEmpty(authToken))
        {
            return false;
        }

        var materialised = parameters as IReadOnlyCollection<KeyValuePair<string, string>> ?? [.. parameters];
        foreach (var candidate in UrlVariants(url))
        {
            if (FixedTimeEquals(Compute(authToken, candidate, materialised), signature))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Validates a JSON-bodied request (docs/protocols/twilio-media-streams.md#json-bodies): the signature covers the
    /// URL only (which carries <c>bodySHA256</c>), and the body's SHA-256 in lower-case hex must equal that query
    /// value.
    /// </summary>
    public static bool IsValidJsonBody(string authToken, string url, ReadOnlySpan<byte> body, string? signature)
    {
        if (!IsValid(authToken, url, [], signature))
        {
            return false;
        }

        var expected = QueryValue(url, "bodySHA256");
        if (expected is null)
        {
            return false;
        }

        var actual = Convert.ToHexStringLower(SHA256.HashData(body));
        return FixedTimeEquals(actual, expected);
    }

    private static IEnumerable<string> UrlVariants(string url)
    {
        yield return url;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            yield break;
        }

        // Rebuild around the authority only, keeping the caller's spelling of scheme, host, path and query
        // (Twilio's library preserves their original casing; test vectors exist for mixed-case hosts).
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            yield break;
        }

        var authorityStart = schemeEnd + 3;
        var authorityEnd = url.IndexOfAny(['/', '?', '#'], authorityStart);
        if (authorityEnd < 0)
        {
            authorityEnd = url.Length;
        }

        var authority = url[authorityStart..authorityEnd];
        var hostPart = StripPort(authority, out var hadPort);
        var prefix = url[..authorityStart];
        var suffix = url[authorityEnd..];
        if (hadPort)
        {
            yield return prefix + hostPart + suffix;
        }
        else if (DefaultPort(uri.Scheme) is { } port)
        {
            yield return prefix + hostPart + ":" + port.ToString(System.Globalization.CultureInfo.InvariantCulture) + suffix;
        }
    }

    private static string StripPort(string authority, out bool hadPort)
    {
        var at = authority.LastIndexOf('@');
        var colon = authority.LastIndexOf(':');
        var bracket = authority.LastIndexOf(']');
        hadPort = colon > at && colon > bracket;
        return hadPort ? authority[..colon] : authority;
    }

    private static int? DefaultPort(string scheme) => scheme.ToUpperInvariant() switch
    {
        "HTTPS" or "WSS" => 443,
        "HTTP" or "WS" => 80,
        _ => null,
    };

    private static string? QueryValue(string url, string name)
    {
        var query = url.IndexOf('?', StringComparison.Ordinal);
        if (query < 0)
        {
            return null;
        }

        foreach (var pair in url[(query + 1)..].Split('&'))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && string.Equals(pair[..eq], name, StringComparison.Ordinal))
            {
                return Uri.UnescapeDataString(pair[(eq + 1)..]);
            }
        }

        return null;
    }

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
