using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace VoiceBridge.Server.Security;

/// <summary>
/// Mints and checks the short-lived, single-use client tokens of <c>/v1/realtime</c>:
/// <c>ek_</c> + base64url(<c>version | nonce | AES-GCM(expires-unix, session-json) | tag</c>). The <c>ek_</c> prefix
/// matches OpenAI's ephemeral keys, so SDKs that sniff the prefix treat ours the same. The payload is encrypted, not
/// only signed: the browser holding the token must not read the session its backend fixed (instructions, tool
/// definitions), which the mint response hides too. The token still carries its session, so any instance with the
/// same <c>Browser:TokenSecret</c> can check it without shared state; only the replay set is shared, and only with
/// <c>Cluster:Redis</c> (in this process's memory otherwise).
/// </summary>
internal sealed class ClientTokens
{
    public const string Prefix = "ek_";

    /// <summary>The replay set's scope for client tokens.</summary>
    public const string NonceScope = "client-token";

    // Bumped with the layout; also the associated data, so a token cannot be replayed as another version's.
    private const byte Version = 2;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private const int ExpiryBytes = 8;
    private const int Overhead = 1 + NonceBytes + TagBytes;
    private readonly byte[] _key;
    private readonly TimeProvider _time;
    private readonly ISingleUseNonceStore _used;

    /// <param name="secret">The key material shared by instances (<c>Browser:TokenSecret</c>); a random key per process when empty.</param>
    /// <param name="time">The clock.</param>
    /// <param name="used">The replay set; null: this process's memory.</param>
    public ClientTokens(string? secret, TimeProvider time, ISingleUseNonceStore? used = null)
    {
        _used = used ?? new InMemoryNonceStore(time);
        var ikm = string.IsNullOrEmpty(secret) ? RandomNumberGenerator.GetBytes(32) : Encoding.UTF8.GetBytes(secret);
        // Its own info string: the v1 HMAC key and this AES key never coincide, even from the same secret.
        _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, 32, salt: [], info: "voicebridge/client-token/v2/aes-256-gcm"u8.ToArray());
        _time = time;
    }

    /// <summary>Mints a token valid for <paramref name="lifetime"/>; returns it with its expiry (unix seconds).</summary>
    public (string Value, long ExpiresAt) Mint(TimeSpan lifetime, string? sessionJson)
    {
        var expires = _time.GetUtcNow().Add(lifetime).ToUnixTimeSeconds();
        var session = Encoding.UTF8.GetBytes(sessionJson ?? string.Empty);
        var plain = new byte[ExpiryBytes + session.Length];
        BinaryPrimitives.WriteInt64BigEndian(plain, expires);
        session.CopyTo(plain.AsSpan(ExpiryBytes));

        var token = new byte[Overhead + plain.Length];
        token[0] = Version;
        var nonce = token.AsSpan(1, NonceBytes);
        // A random 96-bit nonce per token: NIST SP 800-38D bounds random nonces at 2^32 messages per key, far above
        // what one secret mints before it is rotated.
        RandomNumberGenerator.Fill(nonce);
        using (var aes = new AesGcm(_key, TagBytes))
        {
            aes.Encrypt(nonce, plain, token.AsSpan(1 + NonceBytes, plain.Length), token.AsSpan(1 + NonceBytes + plain.Length), token.AsSpan(0, 1));
        }

        return (Prefix + TokenText.Encode(token), expires);
    }

    /// <summary>Checks a token and, when valid, spends it: a second check of the same token is <see cref="ClientTokenStatus.Replayed"/>.</summary>
    public async ValueTask<ClientTokenCheck> CheckAsync(string? token, CancellationToken cancellationToken)
    {
        var status = Open(token, out var nonce, out var expires, out var session);
        if (status != ClientTokenStatus.Valid)
        {
            return new(status);
        }

        return await _used.TryUseAsync(NonceScope, nonce, expires, cancellationToken).ConfigureAwait(false) switch
        {
            NonceUse.First => new(ClientTokenStatus.Valid, session),
            NonceUse.Replayed => new(ClientTokenStatus.Replayed),
            _ => new(ClientTokenStatus.Unavailable),
        };
    }

    // Everything but the replay check: decrypts and reads the token without spending it.
    private ClientTokenStatus Open(string? token, out string nonceHex, out DateTimeOffset expires, out string? session)
    {
        nonceHex = string.Empty;
        expires = default;
        session = null;
        if (string.IsNullOrEmpty(token))
        {
            return ClientTokenStatus.Missing;
        }

        if (!token.StartsWith(Prefix, StringComparison.Ordinal) || !TokenText.TryDecode(token.AsSpan(Prefix.Length), out var bytes)
            || bytes.Length < Overhead + ExpiryBytes || bytes[0] != Version)
        {
            return ClientTokenStatus.Malformed;
        }

        var nonce = bytes.AsSpan(1, NonceBytes);
        var cipher = bytes.AsSpan(1 + NonceBytes, bytes.Length - Overhead);
        var plain = new byte[cipher.Length];
        try
        {
            using var aes = new AesGcm(_key, TagBytes);
            aes.Decrypt(nonce, cipher, bytes.AsSpan(bytes.Length - TagBytes), plain, bytes.AsSpan(0, 1));
        }
        catch (AuthenticationTagMismatchException)
        {
            // Changed anywhere, or minted with another secret.
            return ClientTokenStatus.BadSignature;
        }

        var expiresUnix = BinaryPrimitives.ReadInt64BigEndian(plain);
        if (expiresUnix < 0 || expiresUnix > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return ClientTokenStatus.Malformed;
        }

        expires = DateTimeOffset.FromUnixTimeSeconds(expiresUnix);
        if (_time.GetUtcNow() >= expires)
        {
            return ClientTokenStatus.Expired;
        }

        nonceHex = Convert.ToHexStringLower(nonce);
        session = plain.Length == ExpiryBytes ? null : Encoding.UTF8.GetString(plain.AsSpan(ExpiryBytes));
        return ClientTokenStatus.Valid;
    }
}
