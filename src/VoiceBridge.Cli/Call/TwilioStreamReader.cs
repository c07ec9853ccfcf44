using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;

namespace VoiceBridge.Cli.Call;

/// <summary>
/// Reads a bridge → Twilio message (docs/protocols/twilio-media-streams.md#messages-to-twilio) with <see
/// cref="Utf8JsonReader"/>: the event, a media payload decoded into the caller's buffer, a mark's name copied into the
/// caller's buffer. Nothing is allocated unless the payload arrives JSON-escaped (then a pooled buffer unescapes it).
/// </summary>
internal static class TwilioStreamReader
{
    /// <param name="json">One whole text message.</param>
    /// <param name="audio">Receives the decoded μ-law payload; at least 3/4 of the message length.</param>
    /// <param name="name">Receives a mark's UTF-8 name (truncated to fit).</param>
    /// <param name="audioLength">Bytes of <paramref name="audio"/> written.</param>
    /// <param name="nameLength">Bytes of <paramref name="name"/> written.</param>
    public static TwilioBridgeMessage Read(ReadOnlySpan<byte> json, Span<byte> audio, Span<byte> name, out int audioLength, out int nameLength)
    {
        audioLength = 0;
        nameLength = 0;
        var kind = TwilioBridgeMessage.Unknown;
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return TwilioBridgeMessage.Unknown;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("event"u8))
                {
                    reader.Read();
                    kind = reader.ValueTextEquals("media"u8) ? TwilioBridgeMessage.Media
                        : reader.ValueTextEquals("mark"u8) ? TwilioBridgeMessage.Mark
                        : reader.ValueTextEquals("clear"u8) ? TwilioBridgeMessage.Clear
                        : TwilioBridgeMessage.Unknown;
                }
                else if (reader.ValueTextEquals("media"u8))
                {
                    reader.Read();
                    audioLength = ReadNested(ref reader, "payload"u8, audio, base64: true);
                }
                else if (reader.ValueTextEquals("mark"u8))
                {
                    reader.Read();
                    nameLength = ReadNested(ref reader, "name"u8, name, base64: false);
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
            return TwilioBridgeMessage.Unknown;
        }

        return audioLength < 0 || nameLength < 0 ? TwilioBridgeMessage.Unknown : kind;
    }

    // Reads one string property of the object the reader is on; -1 when it is not valid.
    private static int ReadNested(ref Utf8JsonReader reader, ReadOnlySpan<byte> property, Span<byte> destination, bool base64)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return -1;
        }

        var length = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var wanted = reader.ValueTextEquals(property);
            reader.Read();
            if (wanted && reader.TokenType == JsonTokenType.String)
            {
                length = base64 ? DecodeBase64(ref reader, destination) : CopyText(ref reader, destination);
            }
            else
            {
                reader.Skip();
            }
        }

        return length;
    }

    private static int CopyText(ref Utf8JsonReader reader, Span<byte> destination)
    {
        if (!reader.ValueIsEscaped)
        {
            var raw = reader.ValueSpan;
            var take = Math.Min(raw.Length, destination.Length);
            raw[..take].CopyTo(destination);
            return take;
        }

        var rented = ArrayPool<byte>.Shared.Rent(reader.ValueSpan.Length);
        try
        {
            var written = reader.CopyString(rented);
            var take = Math.Min(written, destination.Length);
            rented.AsSpan(0, take).CopyTo(destination);
            return take;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static int DecodeBase64(ref Utf8JsonReader reader, Span<byte> destination)
    {
        if (!reader.ValueIsEscaped)
        {
            return Decode(reader.ValueSpan, destination);
        }

        // Some JSON writers escape '+' and '/' (\u002B); unescape before decoding.
        var rented = ArrayPool<byte>.Shared.Rent(reader.ValueSpan.Length);
        try
        {
            var written = reader.CopyString(rented);
            return Decode(rented.AsSpan(0, written), destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static int Decode(ReadOnlySpan<byte> base64, Span<byte> destination) =>
        Base64.DecodeFromUtf8(base64, destination, out _, out var written) == OperationStatus.Done ? written : -1;
}
