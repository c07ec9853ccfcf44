using System.Security.Cryptography;
using System.Text;
using VoiceBridge.Server.Security;

namespace VoiceBridge.Server.Calls;

/// <summary>
/// Names the admin key behind a request for the audit trail without writing the key: <c>key-</c> and the first 8 bytes
/// of its SHA-256 in hex. An operator finds which key it was by hashing their keys the same way.
/// </summary>
internal static class AdminKeyId
{
    public static string Of(HttpRequest request) => Of(KeyList.BearerToken(request) ?? string.Empty);

    public static string Of(string key) => "key-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 8));
}
