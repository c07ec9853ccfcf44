using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using VoiceBridge.Server.Sessions;

namespace VoiceBridge.Server.Browser;

/// <summary>
/// Mints and checks the short-lived, single-use client tokens of <c>/v1/realtime</c>:
/// <c>ek_</c> + base64url(<c>v1|expires-unix|nonce|session-json</c>) + <c>.</c> + base64url(HMAC-SHA256). The
/// <c>ek_</c> prefix matches OpenAI's ephemeral keys, so SDKs that sniff the prefix treat ours the same. The token
/// carries its session, so any instance with the same secret can check it; only the replay set is local.
/// </summary>
internal sealed class ClientTokens
{
    public const string Prefix = "ek_";
    private const string Version = "v1";
    private readonly byte[] _key;
    private readonly TimeProvider _time;
    private readonly SingleUseNonces _used = new();

    public ClientTokens(IOptions<BrowserOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        var secret = options.Value.TokenSecret;
        var ikm = string.IsNullOrEmpty(secret) ? RandomNumberGenerator.GetBytes(32) : Encoding.UTF8.GetBytes(secret);
        _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, 32, salt: [], info: "voicebridge/client-token/v1"u8.ToArray());
        _time = time;
    }

    /// <summary>Mints a token valid for <paramref name="lifetime"/>; returns it with its expiry (unix seconds).</summary>
    public (string Value, long ExpiresAt) Mint(TimeSpan lifetime, string? sessionJson)
    {
        var expires = _time.GetUtcNow().Add(lifetime).ToUnixTimeSeconds();
        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var payload = Encoding.UTF8.GetBytes(string.Join('|', Version, expires.ToString(CultureInfo.InvariantCulture), nonce, sessionJson ?? string.Empty));
        return (Prefix + TokenText.Encode(payload) + "." + TokenText.Encode(HMACSHA256.HashData(_key, payload)), expires);
    }

    /// <summary>Checks a token and, when valid, spends it: a second check of the same token is <see cref="ClientTokenStatus.Replayed"/>.</summary>
    public ClientTokenCheck Check(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return new(ClientTokenStatus.Missing);
        }

        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (!token.StartsWith(Prefix, StringComparison.Ordinal) || dot <= Prefix.Length
            || !TokenText.TryDecode(token.AsSpan(Prefix.Length, dot - Prefix.Length), out var payload) || !TokenText.TryDecode(token.AsSpan(dot + 1), out var mac))
        {
            return new(ClientTokenStatus.Malformed);
        }

        if (!CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(_key, payload), mac))
        {
            return new(ClientTokenStatus.BadSignature);
        }

        // The session JSON may itself contain '|': only the first three separators split.
        var fields = Encoding.UTF8.GetString(payload).Split('|', 4);
        if (fields.Length != 4 || fields[0] != Version
            || !long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var expiresUnix))
        {
            return new(ClientTokenStatus.Malformed);
        }

        var now = _time.GetUtcNow();
        var expires = DateTimeOffset.FromUnixTimeSeconds(expiresUnix);
        if (now >= expires)
        {
            return new(ClientTokenStatus.Expired);
        }

        if (!_used.TryUse(fields[2], expires, now))
        {
            return new(ClientTokenStatus.Replayed);
        }

        return new(ClientTokenStatus.Valid, fields[3].Length == 0 ? null : fields[3]);
    }
}
