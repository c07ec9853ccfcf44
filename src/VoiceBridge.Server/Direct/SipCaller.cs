namespace VoiceBridge.Server.Direct;

/// <summary>Who is calling, from a SIP <c>From</c> header (<c>"Name" &lt;sip:+15551234567@host&gt;;tag=…</c>, RFC 3261 §20.20).</summary>
internal static class SipCaller
{
    /// <summary>The user part of the From URI (a phone number, usually), or null.</summary>
    public static string? FromHeaders(IReadOnlyList<SipHeader>? headers)
    {
        foreach (var header in headers ?? [])
        {
            if (string.Equals(header.Name, "From", StringComparison.OrdinalIgnoreCase) || header.Name == "f")
            {
                return User(header.Value);
            }
        }

        return null;
    }

    internal static string? User(string? from)
    {
        if (string.IsNullOrEmpty(from))
        {
            return null;
        }

        var start = from.IndexOf("sip:", StringComparison.OrdinalIgnoreCase);
        var scheme = 4;
        if (start < 0)
        {
            start = from.IndexOf("sips:", StringComparison.OrdinalIgnoreCase);
            scheme = 5;
        }

        if (start < 0)
        {
            start = from.IndexOf("tel:", StringComparison.OrdinalIgnoreCase);
            scheme = 4;
        }

        if (start < 0)
        {
            return null;
        }

        var user = from[(start + scheme)..];
        var end = user.IndexOfAny(['@', ';', '>', '?', ' ']);
        user = end < 0 ? user : user[..end];
        // A caller id is short; anything else is not one (and must not bloat GET /calls or the audit).
        return user.Length is > 0 and <= 64 ? user : null;
    }
}
