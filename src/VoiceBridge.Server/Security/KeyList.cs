using System.Security.Cryptography;
using System.Text;

namespace VoiceBridge.Server.Security;

/// <summary>Constant-time checks of a presented secret against a configured list (bridge API keys, admin keys).</summary>
internal static class KeyList
{
    /// <summary>True when <paramref name="presented"/> equals one of <paramref name="keys"/>; empty keys never match.</summary>
    public static bool Contains(IEnumerable<string> keys, string? presented)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (string.IsNullOrEmpty(presented))
        {
            return false;
        }

        // Hashing first makes each comparison constant-time whatever the lengths; every key is compared so the
        // time does not tell which one matched.
        var presentedHash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        var match = false;
        foreach (var key in keys)
        {
            match |= !string.IsNullOrEmpty(key) && CryptographicOperations.FixedTimeEquals(presentedHash, SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        }

        return match;
    }

    /// <summary>The token of an <c>Authorization: Bearer …</c> header, or null.</summary>
    public static string? BearerToken(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }
}
