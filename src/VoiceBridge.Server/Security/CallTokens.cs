using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace VoiceBridge.Server.Security;

/// <summary>
/// Mints and checks the short-lived, single-use token that the TwiML hands to Twilio as a Stream
/// <c>&lt;Parameter&gt;</c>. The upgrade signature only proves "Twilio sent this" and is replayable (the stream
/// URL carries no per-call data, docs/protocols/twilio-media-streams.md#signing-the-media-streams-handshake); the token
/// binds the stream to the CallSid we answered. Stateless apart from the replay set: any instance holding the same
/// secret can check a token, and with a shared replay set (<c>Cluster:Redis</c>) a token spent on one instance is a
/// replay on every other.
/// </summary>
internal sealed class CallTokens
{
    /// <summary>The replay set's scope for call tokens.</summary>
    public const string NonceScope = "call-token";

    private const string Version = "v1";
    private readonly byte[] _key;
    private readonly TimeSpan _lifetime;
    private readonly TimeProvider _time;
    private readonly ISingleUseNonceStore _used;

    /// <param name="secret">The key material (<c>Twilio:CallTokenSecret</c>, else the auth token); a random key when empty.</param>
    /// <param name="lifetime">How long a minted token is valid.</param>
    /// <param name="time">The clock.</param>
    /// <param name="used">The replay set; null: this process's memory.</param>
    public CallTokens(string? secret, TimeSpan lifetime, TimeProvider time, ISingleUseNonceStore? used = null)
    {
        _key = DeriveKey(secret);
        _lifetime = lifetime;
        _time = time;
        _used = used ?? new InMemoryNonceStore(time);
    }

    public string Mint(string callSid, string? caller)
    {
        var expires = _time.GetUtcNow().Add(_lifetime).ToUnixTimeSeconds();
        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var payload = string.Join('|', Version, callSid, caller ?? string.Empty, expires.ToString(CultureInfo.InvariantCulture), nonce);
        var payloadBytes = Encoding.UTF8.GetBytes(payload);
        return TokenText.Encode(payloadBytes) + "." + TokenText.Encode(HMACSHA256.HashData(_key, payloadBytes));
    }

    /// <summary>Checks a token for <paramref name="callSid"/> and, when valid, spends it.</summary>
    public async ValueTask<CallTokenResult> CheckAsync(string? token, string callSid, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token))
        {
            return new(CallTokenStatus.Missing);
        }

        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !TokenText.TryDecode(token.AsSpan(0, dot), out var payloadBytes) || !TokenText.TryDecode(token.AsSpan(dot + 1), out var mac))
        {
            return new(CallTokenStatus.Malformed);
        }

        if (!CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(_key, payloadBytes), mac))
        {
            return new(CallTokenStatus.BadSignature);
        }

        var fields = Encoding.UTF8.GetString(payloadBytes).Split('|');
        if (fields.Length != 5 || fields[0] != Version
            || !long.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var expiresUnix))
        {
            return new(CallTokenStatus.Malformed);
        }

        var now = _time.GetUtcNow();
        var expires = DateTimeOffset.FromUnixTimeSeconds(expiresUnix);
        if (now >= expires)
        {
            return new(CallTokenStatus.Expired);
        }

        if (!string.Equals(fields[1], callSid, StringComparison.Ordinal))
        {
            return new(CallTokenStatus.WrongCall);
        }

        switch (await _used.TryUseAsync(NonceScope, fields[4], expires, cancellationToken).ConfigureAwait(false))
        {
            case NonceUse.Replayed:
                return new(CallTokenStatus.Replayed);
            case NonceUse.Unavailable:
                return new(CallTokenStatus.Unavailable);
        }

        return new(CallTokenStatus.Valid, fields[2].Length == 0 ? null : fields[2]);
    }

    private static byte[] DeriveKey(string? secret)
    {
        // Without any secret (Development without a Twilio token) a random per-process key still makes tokens
        // unforgeable; they just cannot be checked by another instance.
        var ikm = string.IsNullOrEmpty(secret) ? RandomNumberGenerator.GetBytes(32) : Encoding.UTF8.GetBytes(secret);
        return HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, 32, salt: [], info: "voicebridge/call-token/v1"u8.ToArray());
    }
}
