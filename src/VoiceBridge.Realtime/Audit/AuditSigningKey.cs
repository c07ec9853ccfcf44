using System.Security.Cryptography;
using System.Text;

namespace VoiceBridge.Realtime.Audit;

/// <summary>
/// The secret that seals audit trails (HMAC-SHA256 over every line) and the index of calls. It never appears in a
/// file: a trail names it only by <see cref="Id"/>, a fingerprint, so a verifier holding several keys (after a
/// rotation) picks the one each file was sealed with.
/// </summary>
public sealed class AuditSigningKey
{
    /// <summary>At least 256 bits: RFC 2104 §3 discourages HMAC keys shorter than the hash output (32 bytes for SHA-256).</summary>
    public const int MinimumBytes = 32;

    private static readonly byte[] IdLabel = Encoding.ASCII.GetBytes("voicebridge-audit-key-id:");

    private readonly byte[] _key;

    private AuditSigningKey(byte[] key)
    {
        _key = key;
        // A one-way fingerprint: naming the key in every file reveals nothing that helps forge a seal.
        Span<byte> id = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData([.. IdLabel, .. key], id);
        Id = AuditFormat.Hex(id[..8]);
    }

    /// <summary>16 hex characters identifying the key (derived from it; not secret).</summary>
    public string Id { get; }

    internal ReadOnlySpan<byte> Bytes => _key;

    /// <summary>Parses a base64 key of at least <see cref="MinimumBytes"/> bytes; <paramref name="error"/> says why not.</summary>
    public static bool TryParse(string? base64, out AuditSigningKey? key, out string? error)
    {
        key = null;
        error = null;
        if (string.IsNullOrWhiteSpace(base64))
        {
            error = "the key is empty";
            return false;
        }

        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(base64.Trim());
        }
        catch (FormatException)
        {
            error = "the key is not base64";
            return false;
        }

        if (bytes.Length < MinimumBytes)
        {
            error = $"the key is {bytes.Length} bytes; at least {MinimumBytes} are required (for example `openssl rand -base64 32`)";
            return false;
        }

        key = new AuditSigningKey(bytes);
        return true;
    }

    /// <summary>A new random key (tests, and <c>voicebridge audit new-key</c>).</summary>
    public static string NewBase64() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(MinimumBytes));
}
