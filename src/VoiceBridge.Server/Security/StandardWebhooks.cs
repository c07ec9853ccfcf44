using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace VoiceBridge.Server.Security;

/// <summary>
/// Checks webhooks signed per Standard Webhooks, as OpenAI signs <c>realtime.call.incoming</c>
/// (docs/protocols/openai-webhooks.md): the key is the base64 after <c>whsec_</c>; <c>webhook-signature</c> holds
/// space-separated <c>v1,&lt;base64 HMAC-SHA256 over "id.timestamp.body"&gt;</c> entries (several during a secret's
/// rotation); a timestamp more than <see cref="Tolerance"/> from now is stale; an id is accepted once. Signatures are
/// compared in constant time, and checked before the id is spent, so a forged request cannot burn a real one's id.
/// </summary>
internal sealed class StandardWebhooks
{
    /// <summary>How far a timestamp may be from now, either way.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    private const string Scope = "webhook-id";
    private const int MaxIdLength = 256;
    private readonly byte[]? _key;
    private readonly IReplayGuard _replays;
    private readonly TimeProvider _time;

    /// <param name="secret">The <c>whsec_</c> secret (<see cref="TryReadKey"/>); null or empty: every webhook is refused.</param>
    /// <param name="replays">The ids already accepted.</param>
    /// <param name="time">The clock.</param>
    public StandardWebhooks(string? secret, IReplayGuard replays, TimeProvider time)
    {
        _key = string.IsNullOrEmpty(secret) ? null : TryReadKey(secret, out var key) ? key : throw new ArgumentException("Not a whsec_ secret.", nameof(secret));
        _replays = replays;
        _time = time;
    }

    /// <summary>Whether a secret is configured.</summary>
    public bool IsConfigured => _key is not null;

    /// <summary>The key inside a <c>whsec_</c> secret (base64 after the prefix, at least 16 bytes).</summary>
    public static bool TryReadKey(string secret, out byte[] key)
    {
        key = [];
        if (string.IsNullOrEmpty(secret) || !secret.StartsWith("whsec_", StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            key = Convert.FromBase64String(secret["whsec_".Length..]);
            return key.Length >= 16;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>Checks one delivery and, when valid, spends its id.</summary>
    public async ValueTask<WebhookCheckStatus> CheckAsync(string? id, string? timestamp, string? signatures, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        if (_key is null)
        {
            return WebhookCheckStatus.NoSecret;
        }

        if (string.IsNullOrEmpty(id) || id.Length > MaxIdLength || string.IsNullOrEmpty(signatures)
            || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return WebhookCheckStatus.MissingHeaders;
        }

        if (!Matches(id, timestamp!, signatures, body.Span))
        {
            return WebhookCheckStatus.BadSignature;
        }

        var sent = DateTimeOffset.FromUnixTimeSeconds(seconds);
        var now = _time.GetUtcNow();
        if (sent < now - Tolerance || sent > now + Tolerance)
        {
            return WebhookCheckStatus.Stale;
        }

        // Kept until the timestamp check would refuse it anyway.
        return await _replays.TryFirstUseAsync(Scope, id, sent + Tolerance, cancellationToken) ? WebhookCheckStatus.Valid : WebhookCheckStatus.Replayed;
    }

    private bool Matches(string id, string timestamp, string signatures, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(id + "." + timestamp + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        var expected = HMACSHA256.HashData(_key!, signed);
        var match = false;
        Span<byte> presented = stackalloc byte[64];
        foreach (var entry in signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            // Versions other than v1 are ignored, as the scheme says; every v1 entry is compared.
            if (entry.StartsWith("v1,", StringComparison.Ordinal)
                && Convert.TryFromBase64String(entry[3..], presented, out var written) && written == expected.Length)
            {
                match |= CryptographicOperations.FixedTimeEquals(presented[..written], expected);
            }
        }

        return match;
    }
}
