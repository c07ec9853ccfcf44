using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using VoiceBridge.Server.Audit;
using VoiceBridge.Server.Calls;
using VoiceBridge.Server.Security;

namespace VoiceBridge.Server.Ops;

/// <summary>
/// Dashboard sessions: a key (operator or viewer) is exchanged once for an HttpOnly, SameSite=Strict cookie that proves
/// the session without holding the key: <c>1.{o|v}.{key id}.{expiry}.{MAC}</c>, the MAC an HMAC-SHA256 of the rest
/// keyed with the key itself. So any instance configured with the same keys accepts it (no session store to share),
/// taking a key out of <c>Audit:AdminKeys</c>/<c>Audit:ViewerKeys</c> ends its sessions at the next check, and the
/// cookie is worthless for the admin API (which wants the key).
/// </summary>
internal sealed class OpsSessions(IOptions<AuditOptions> audit, IOptions<OpsOptions> ops, TimeProvider time)
{
    public const string CookieName = "vb_ops";
    public const string CookiePath = "/ops";

    private const string Version = "1";

    /// <summary>The session a key opens: operator for an admin key, viewer for a viewer key, null for neither.</summary>
    public OpsSession? Open(string? key)
    {
        var keys = audit.Value;
        OpsRole? role = KeyList.Contains(keys.AdminKeys, key) ? OpsRole.Operator
            : KeyList.Contains(keys.ViewerKeys, key) ? OpsRole.Viewer
            : null;
        if (role is not { } granted)
        {
            return null;
        }

        // Whole seconds: the cookie carries the expiry in seconds, and the session must be what the cookie proves.
        var expires = DateTimeOffset.FromUnixTimeSeconds(time.GetUtcNow().AddHours(ops.Value.SessionHours).ToUnixTimeSeconds());
        return new OpsSession(granted, AdminKeyId.Of(key!), expires);
    }

    /// <summary>The cookie value for <paramref name="session"/>, opened with <paramref name="key"/>.</summary>
    public static string Token(OpsSession session, string key)
    {
        ArgumentNullException.ThrowIfNull(session);
        var payload = Payload(session.Role, session.KeyId, session.Expires.ToUnixTimeSeconds());
        return payload + "." + Mac(key, payload);
    }

    /// <summary>Sets the session cookie on <paramref name="response"/>.</summary>
    public static void SetCookie(HttpResponse response, OpsSession session, string key)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(session);
        response.Cookies.Append(CookieName, Token(session, key), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = response.HttpContext.Request.IsHttps,
            Path = CookiePath,
            Expires = session.Expires,
            IsEssential = true,
        });
    }

    public static void ClearCookie(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Cookies.Delete(CookieName, new CookieOptions { Path = CookiePath, HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = response.HttpContext.Request.IsHttps });
    }

    /// <summary>The session the request's cookie proves, or null (no cookie, malformed, expired, or its key is no longer configured).</summary>
    public OpsSession? Read(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Cookies.TryGetValue(CookieName, out var token) ? Validate(token) : null;
    }

    public OpsSession? Validate(string? token)
    {
        // 1.o.key-0123456789abcdef.1767225600.MAC
        var parts = token?.Split('.');
        if (parts is not { Length: 5 } || parts[0] != Version || parts[1] is not ("o" or "v")
            || !long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var expiresSeconds))
        {
            return null;
        }

        var expires = DateTimeOffset.FromUnixTimeSeconds(Math.Min(expiresSeconds, DateTimeOffset.MaxValue.ToUnixTimeSeconds()));
        if (expires <= time.GetUtcNow())
        {
            return null;
        }

        var role = parts[1] == "o" ? OpsRole.Operator : OpsRole.Viewer;
        var keys = role == OpsRole.Operator ? audit.Value.AdminKeys : audit.Value.ViewerKeys;
        var payload = Payload(role, parts[2], expiresSeconds);
        var presented = Encoding.ASCII.GetBytes(parts[4]);
        var valid = false;
        foreach (var key in keys)
        {
            // Every key of the role is tried and compared in constant time: the time does not tell which one matched.
            if (!string.IsNullOrEmpty(key) && AdminKeyId.Of(key) == parts[2])
            {
                valid |= CryptographicOperations.FixedTimeEquals(presented, Encoding.ASCII.GetBytes(Mac(key, payload)));
            }
        }

        return valid ? new OpsSession(role, parts[2], expires) : null;
    }

    private static string Payload(OpsRole role, string keyId, long expiresSeconds) =>
        string.Create(CultureInfo.InvariantCulture, $"{Version}.{(role == OpsRole.Operator ? "o" : "v")}.{keyId}.{expiresSeconds}");

    private static string Mac(string key, string payload)
    {
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes("voicebridge-ops-session\n" + payload));
        return Convert.ToBase64String(mac).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}
