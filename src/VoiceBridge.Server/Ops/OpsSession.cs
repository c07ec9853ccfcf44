using System.Globalization;
using System.Security.Claims;

namespace VoiceBridge.Server.Ops;

/// <summary>A logged-in dashboard session, as its cookie proves it.</summary>
/// <param name="Role">What the session may do.</param>
/// <param name="KeyId">The key's id (<c>AdminKeyId</c>), which the audit trail records for the session's actions.</param>
/// <param name="Expires">When the cookie stops being accepted.</param>
internal sealed record OpsSession(OpsRole Role, string KeyId, DateTimeOffset Expires)
{
    private const string AuthenticationType = "voicebridge-ops";
    private const string RoleClaim = "voicebridge.ops.role";
    private const string KeyClaim = "voicebridge.ops.key";
    private const string ExpiresClaim = "voicebridge.ops.expires";

    public string RoleName => Role == OpsRole.Operator ? "operator" : "viewer";

    /// <summary>The session as the hub's connection carries it (<c>HttpContext.User</c> at the upgrade).</summary>
    public ClaimsPrincipal ToPrincipal() => new(new ClaimsIdentity(
        [
            new Claim(RoleClaim, RoleName),
            new Claim(KeyClaim, KeyId),
            new Claim(ExpiresClaim, Expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
        ],
        AuthenticationType));

    /// <summary>The session a connection's user carries, or null when it carries none.</summary>
    public static OpsSession? From(ClaimsPrincipal? user)
    {
        if (user?.Identity?.AuthenticationType != AuthenticationType
            || user.FindFirst(KeyClaim)?.Value is not { } keyId
            || !long.TryParse(user.FindFirst(ExpiresClaim)?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var expires))
        {
            return null;
        }

        var role = user.FindFirst(RoleClaim)?.Value == "operator" ? OpsRole.Operator : OpsRole.Viewer;
        return new OpsSession(role, keyId, DateTimeOffset.FromUnixTimeSeconds(expires));
    }
}
