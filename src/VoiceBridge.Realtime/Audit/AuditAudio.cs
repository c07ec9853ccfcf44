using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;

namespace VoiceBridge.Realtime.Audit;

/// <summary>
/// Replaces the base64 audio payload of an audio event by <c>{"bytes":n,"offset":o,"sha256":"hex"}</c>, leaving every
/// other byte of the event as it was. Audio events recognised: Realtime <c>input_audio_buffer.append</c>
/// (<c>audio</c>), <c>response.output_audio.delta</c> (<c>delta</c>) and Twilio <c>media</c> (<c>media.payload</c>).
/// </summary>
public static class AuditAudio
{
    /// <summary>
    /// Writes the rewritten event to <paramref name="destination"/>. False (nothing written) when the event carries
    /// no audio field. A payload that is not valid base64 becomes <c>{"invalid_base64_chars":n}</c>.
    /// </summary>
    public static bool TryRewrite(ReadOnlySpan<byte> eventJson, long offset, IBufferWriter<byte> destination, out AuditAudioRef audio)
    {
        ArgumentNullException.ThrowIfNull(destination);
        audio = default;
        if (!TryFindPayload(eventJson, out var start, out var end, out var escaped))
        {
            return false;
        }

        // The token spans the quotes; the payload is between them.
        var raw = eventJson[(start + 1)..(end - 1)];
        byte[]? rented = null;
        try
        {
            if (escaped)
            {
                // A serializer may write '/' or '+' as \u002F / \u002B; unescape before decoding.
                rented = ArrayPool<byte>.Shared.Rent(raw.Length);
                var reader = new Utf8JsonReader(eventJson[start..end]);
                reader.Read();
                try
                {
                    raw = rented.AsSpan(0, reader.CopyString(rented));
                }
                catch (InvalidOperationException)
                {
                    // An escape that is not valid UTF-8 once unescaped (a lone surrogate) cannot be base64: the raw,
                    // still-escaped text fails to decode below and is recorded as invalid, never thrown at the writer.
                }
            }

            var decodedRented = ArrayPool<byte>.Shared.Rent(Base64.GetMaxDecodedFromUtf8Length(raw.Length));
            try
            {
                var status = Base64.DecodeFromUtf8(raw, decodedRented, out _, out var decoded);
                destination.Write(eventJson[..start]);
                if (status != OperationStatus.Done)
                {
                    WriteInvalid(destination, raw.Length);
                }
                else
                {
                    Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
                    SHA256.HashData(decodedRented.AsSpan(0, decoded), hash);
                    Span<byte> hex = stackalloc byte[AuditFormat.HashHexLength];
                    AuditFormat.WriteHex(hash, hex);
                    WriteDigest(destination, decoded, offset, hex);
                    audio = new AuditAudioRef(decoded, offset);
                }

                destination.Write(eventJson[end..]);
                return true;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(decodedRented);
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// As <see cref="TryRewrite(ReadOnlySpan{byte}, long, IBufferWriter{byte}, out AuditAudioRef)"/>, for an event whose
    /// payload the caller has already decoded (<paramref name="decoded"/>: the bytes the base64 carries). The digest is
    /// taken from those bytes, so the payload is found but not decoded again; the record is byte for byte the same.
    /// </summary>
    public static bool TryRewrite(ReadOnlySpan<byte> eventJson, long offset, ReadOnlySpan<byte> decoded, IBufferWriter<byte> destination, out AuditAudioRef audio)
    {
        ArgumentNullException.ThrowIfNull(destination);
        audio = default;
        if (!TryFindPayload(eventJson, out var start, out var end, out _))
        {
            return false;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(decoded, hash);
        Span<byte> hex = stackalloc byte[AuditFormat.HashHexLength];
        AuditFormat.WriteHex(hash, hex);
        destination.Write(eventJson[..start]);
        WriteDigest(destination, decoded.Length, offset, hex);
        destination.Write(eventJson[end..]);
        audio = new AuditAudioRef(decoded.Length, offset);
        return true;
    }

    // Written by hand rather than with a Utf8JsonWriter, which is an allocation per audio record (the session formats
    // records on its own task: no allocation per frame); the bytes are what Utf8JsonWriter wrote before.
    private static void WriteDigest(IBufferWriter<byte> destination, int bytes, long offset, ReadOnlySpan<byte> hex)
    {
        var span = destination.GetSpan(64 + hex.Length);
        var length = Put(span, 0, "{\"bytes\":"u8);
        Utf8Formatter.TryFormat(bytes, span[length..], out var written);
        length = Put(span, length + written, ",\"offset\":"u8);
        Utf8Formatter.TryFormat(offset, span[length..], out written);
        length = Put(span, length + written, ",\"sha256\":\""u8);
        length = Put(span, length, hex);
        destination.Advance(Put(span, length, "\"}"u8));
    }

    private static void WriteInvalid(IBufferWriter<byte> destination, int characters)
    {
        var span = destination.GetSpan(48);
        var length = Put(span, 0, "{\"invalid_base64_chars\":"u8);
        Utf8Formatter.TryFormat(characters, span[length..], out var written);
        destination.Advance(Put(span, length + written, "}"u8));
    }

    private static int Put(Span<byte> span, int at, ReadOnlySpan<byte> text)
    {
        text.CopyTo(span[at..]);
        return at + text.Length;
    }

    /// <summary>Byte range [start, end) of the payload string token, quotes included.</summary>
    private static bool TryFindPayload(ReadOnlySpan<byte> json, out int start, out int end, out bool escaped)
    {
        start = end = 0;
        escaped = false;
        var reader = new Utf8JsonReader(json);
        var inMedia = false;
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.PropertyName)
                {
                    continue;
                }

                var depth = reader.CurrentDepth;
                var candidate = (depth == 1 && (reader.ValueTextEquals("audio"u8) || reader.ValueTextEquals("delta"u8)))
                    || (depth == 2 && inMedia && reader.ValueTextEquals("payload"u8));
                if (depth == 1)
                {
                    inMedia = reader.ValueTextEquals("media"u8);
                }

                if (!reader.Read())
                {
                    return false;
                }

                if (candidate && reader.TokenType == JsonTokenType.String)
                {
                    start = (int)reader.TokenStartIndex;
                    end = (int)reader.BytesConsumed;
                    escaped = reader.ValueIsEscaped;
                    return true;
                }

                if (depth > 1 || !inMedia)
                {
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            return false;
        }

        return false;
    }
}
