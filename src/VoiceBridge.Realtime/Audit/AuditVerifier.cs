using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;

namespace VoiceBridge.Realtime.Audit;

/// <summary>
/// Checks one call's audit trail line by line: header first, every line's own hash, sequence 1, 2, 3… without gaps,
/// each <c>prev</c> equal to the previous line's hash, nothing after the close record. A sealed trail (version 2) is
/// checked with the key its header names (<c>kid</c>), which must be among the keys given; without it the trail cannot
/// be verified and is reported broken, never trusted.
/// </summary>
/// <remarks>
/// Crash rule: the writer appends whole lines (LF last) and fsyncs, so after a crash only the last line can be
/// unfinished. Bytes after the last LF are therefore a torn write and are ignored (the file is
/// <see cref="AuditFileStatus.Incomplete"/>, never corrupt) — unless they hold a whole, self-consistent line
/// followed by something other than LF, which a torn write cannot produce (the LF was changed: broken).
/// A whole line without its LF is verified and counted like any other.
/// </remarks>
public sealed class AuditVerifier : IDisposable
{
    private readonly byte[] _prevHex = new byte[AuditFormat.HashHexLength];
    private readonly IReadOnlyList<AuditSigningKey> _keys;
    private IncrementalHash? _mac;
    private string? _keyId;
    private long _line;
    private long _records;
    private bool _closed;
    private string? _callId;
    private AuditBreak? _break;

    private AuditVerifier(IReadOnlyList<AuditSigningKey>? keys)
    {
        _keys = keys ?? [];
    }

    public static AuditVerification VerifyFile(string path, IReadOnlyList<AuditSigningKey>? keys = null)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024);
        return Verify(stream, keys);
    }

    public static AuditVerification Verify(Stream stream, IReadOnlyList<AuditSigningKey>? keys = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var verifier = new AuditVerifier(keys);
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        var filled = 0;
        try
        {
            while (true)
            {
                if (filled == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, filled).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = stream.Read(buffer, filled, buffer.Length - filled);
                if (read == 0)
                {
                    return verifier.Finish(buffer.AsSpan(0, filled));
                }

                filled += read;
                var consumed = 0;
                int newline;
                while ((newline = buffer.AsSpan(consumed, filled - consumed).IndexOf((byte)'\n')) >= 0)
                {
                    if (!verifier.Line(buffer.AsSpan(consumed, newline)))
                    {
                        return verifier.Result(0);
                    }

                    consumed += newline + 1;
                }

                buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                filled -= consumed;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Verifies a whole trail held in memory (for example rows read back from the database).</summary>
    public static AuditVerification Verify(ReadOnlySpan<byte> content, IReadOnlyList<AuditSigningKey>? keys = null)
    {
        using var verifier = new AuditVerifier(keys);
        int newline;
        while ((newline = content.IndexOf((byte)'\n')) >= 0)
        {
            if (!verifier.Line(content[..newline]))
            {
                return verifier.Result(0);
            }

            content = content[(newline + 1)..];
        }

        return verifier.Finish(content);
    }

    public void Dispose() => _mac?.Dispose();

    private AuditVerification Finish(ReadOnlySpan<byte> tail)
    {
        if (tail.IsEmpty)
        {
            return Result(0);
        }

        if (HashHolds(tail))
        {
            // A whole line whose LF never reached the disk.
            Line(tail);
            return Result(0);
        }

        for (var end = tail.Length - 1; end >= AuditFormat.HashSuffixLength; end--)
        {
            if (tail[end - 1] == (byte)'}' && HashHolds(tail[..end]))
            {
                _line++;
                _break = new AuditBreak(_records + 1, _line, "the line terminator after this record was changed");
                return Result(0);
            }
        }

        return Result(tail.Length);
    }

    private AuditVerification Result(int tornBytes)
    {
        if (_break is not null)
        {
            return new AuditVerification(AuditFileStatus.Broken, _records, _callId, _break, 0) { KeyId = _keyId };
        }

        var status = _closed ? AuditFileStatus.Complete : AuditFileStatus.Incomplete;
        return new AuditVerification(status, _records, _callId, null, tornBytes)
        {
            LastHash = _line == 0 ? "" : System.Text.Encoding.ASCII.GetString(_prevHex),
            KeyId = _keyId,
        };
    }

    private bool Line(ReadOnlySpan<byte> line)
    {
        _line++;
        var expectedSeq = _records + 1;
        if (_line == 1)
        {
            // The header names the key its hash is sealed with, so it is read before its hash is checked.
            if (!Header(line))
            {
                return false;
            }

            if (!HashHolds(line))
            {
                return Fail(0, _mac is null
                    ? "its hash does not match its content (the line was changed)"
                    : "its seal does not match its content (the line was changed, or sealed by someone else under this key id)");
            }

            line[^(AuditFormat.HashHexLength + 2)..^2].CopyTo(_prevHex);
            return true;
        }

        if (!HashHolds(line))
        {
            return Fail(expectedSeq, "its hash does not match its content (the line was changed)");
        }

        if (_closed)
        {
            return Fail(expectedSeq, "a record follows the close record");
        }

        long seq = -1;
        string? type = null;
        var prevMatches = false;
        var reader = new Utf8JsonReader(line);
        try
        {
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("seq"u8))
                {
                    reader.Read();
                    seq = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) ? value : -1;
                }
                else if (reader.ValueTextEquals("type"u8))
                {
                    reader.Read();
                    type = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("prev"u8))
                {
                    reader.Read();
                    prevMatches = reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && reader.ValueSpan.SequenceEqual(_prevHex);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            return Fail(expectedSeq, "the line is not valid JSON");
        }

        if (seq != expectedSeq)
        {
            return Fail(expectedSeq, seq < 0 ? "the record has no sequence number" : $"sequence number {seq} where {expectedSeq} was expected (a record is missing or out of order)");
        }

        if (!prevMatches)
        {
            return Fail(expectedSeq, "prev does not match the previous line's hash (a record was removed, inserted or reordered)");
        }

        if (type is null)
        {
            return Fail(expectedSeq, "the record has no type");
        }

        _records = seq;
        _closed = type == AuditFormat.CloseType;
        line[^(AuditFormat.HashHexLength + 2)..^2].CopyTo(_prevHex);
        return true;
    }

    private bool Header(ReadOnlySpan<byte> line)
    {
        string? format = null;
        string? seal = null;
        var version = -1;
        var reader = new Utf8JsonReader(line);
        try
        {
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("format"u8))
                {
                    reader.Read();
                    format = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("version"u8))
                {
                    reader.Read();
                    version = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value) ? value : -1;
                }
                else if (reader.ValueTextEquals("call_id"u8))
                {
                    reader.Read();
                    _callId = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("seal"u8))
                {
                    reader.Read();
                    seal = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("kid"u8))
                {
                    reader.Read();
                    _keyId = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            return Fail(0, "the header is not valid JSON");
        }

        if (format != AuditFormat.FormatName || version is not (AuditFormat.Version or AuditFormat.SealedVersion))
        {
            return Fail(0, $"not a {AuditFormat.FormatName} version {AuditFormat.Version} or {AuditFormat.SealedVersion} header");
        }

        if (version == AuditFormat.Version)
        {
            _keyId = null;
            return true;
        }

        if (seal != AuditFormat.SealAlgorithm || string.IsNullOrEmpty(_keyId))
        {
            return Fail(0, $"a version {AuditFormat.SealedVersion} header must name seal \"{AuditFormat.SealAlgorithm}\" and its key id");
        }

        AuditSigningKey? key = null;
        foreach (var candidate in _keys)
        {
            if (candidate.Id == _keyId)
            {
                key = candidate;
                break;
            }
        }

        if (key is null)
        {
            return Fail(0, _keys.Count == 0
                ? $"sealed with key {_keyId}, and no key was given: it cannot be verified"
                : $"sealed with key {_keyId}, which is not among the keys given: it cannot be verified");
        }

        _mac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key.Bytes);
        return true;
    }

    private bool Fail(long seq, string reason)
    {
        _break = new AuditBreak(seq, _line, reason);
        return false;
    }

    /// <summary>
    /// The line ends with <c>,"hash":"&lt;hex&gt;"}</c> and the hex is the SHA-256 (unsealed) or the HMAC-SHA256 under the
    /// header's key (sealed) of what precedes it.
    /// </summary>
    private bool HashHolds(ReadOnlySpan<byte> line)
    {
        if (line.Length < AuditFormat.HashSuffixLength + 1)
        {
            return false;
        }

        var suffix = line[^AuditFormat.HashSuffixLength..];
        if (!suffix.StartsWith(AuditFormat.HashSuffixStart) || !suffix.EndsWith(AuditFormat.HashSuffixEnd))
        {
            return false;
        }

        // Constant-time comparison below: a verifier that is also a service must not leak how much of a seal matched.
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        if (_mac is null)
        {
            SHA256.HashData(line[..^AuditFormat.HashSuffixLength], hash);
        }
        else
        {
            _mac.AppendData(line[..^AuditFormat.HashSuffixLength]);
            _mac.GetHashAndReset(hash);
        }

        Span<byte> hex = stackalloc byte[AuditFormat.HashHexLength];
        AuditFormat.WriteHex(hash, hex);
        return CryptographicOperations.FixedTimeEquals(hex, suffix.Slice(AuditFormat.HashSuffixStart.Length, AuditFormat.HashHexLength));
    }
}
