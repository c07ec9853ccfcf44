using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;

namespace VoiceBridge.Server.Twilio;

/// <summary>
/// Reads Twilio Media Stream frames with <see cref="Utf8JsonReader"/> in one pass, in any property order.
/// The per-frame <c>media</c> path decodes base64 straight into the caller's buffer; nothing is allocated.
/// The once-per-call <c>start</c> message is read by <see cref="TwilioStartReader"/>.
/// </summary>
internal static class TwilioReader
{
    public static TwilioReadStatus Read(ReadOnlySpan<byte> utf8Json, Span<byte> audio, out TwilioFrame frame)
    {
        frame = default;
        var kind = TwilioEvent.Unknown;
        var sawEvent = false;
        ReadOnlySpan<byte> streamSid = default;
        ReadOnlySpan<byte> name = default;
        long timestamp = -1;
        var payloadLength = -1;
        var status = TwilioReadStatus.Ok;

        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = 8 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return TwilioReadStatus.MalformedJson;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("event"u8))
                {
                    reader.Read();
                    sawEvent = reader.TokenType == JsonTokenType.String;
                    kind = sawEvent ? Classify(ref reader) : TwilioEvent.Unknown;
                }
                else if (reader.ValueTextEquals("streamSid"u8))
                {
                    reader.Read();
                    streamSid = reader.TokenType == JsonTokenType.String ? StringValue(utf8Json, ref reader) : default;
                }
                else if (reader.ValueTextEquals("media"u8))
                {
                    reader.Read();
                    status = ReadMedia(ref reader, audio, ref timestamp, ref payloadLength);
                    if (status != TwilioReadStatus.Ok)
                    {
                        return status;
                    }
                }
                else if (reader.ValueTextEquals("mark"u8))
                {
                    reader.Read();
                    name = ReadStringMember(utf8Json, ref reader, "name"u8);
                }
                else if (reader.ValueTextEquals("dtmf"u8))
                {
                    reader.Read();
                    name = ReadStringMember(utf8Json, ref reader, "digit"u8);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return TwilioReadStatus.MalformedJson;
            }
        }
        catch (JsonException)
        {
            return TwilioReadStatus.MalformedJson;
        }

        if (!sawEvent)
        {
            return TwilioReadStatus.MissingEvent;
        }

        frame = new TwilioFrame
        {
            Event = kind,
            StreamSid = streamSid,
            TimestampMs = timestamp,
            PayloadLength = Math.Max(payloadLength, 0),
            Name = name,
        };

        return kind switch
        {
            TwilioEvent.Unknown => TwilioReadStatus.UnknownEvent,
            TwilioEvent.Media when payloadLength < 0 => TwilioReadStatus.MissingField,
            TwilioEvent.Mark or TwilioEvent.Dtmf when name.IsEmpty => TwilioReadStatus.MissingField,
            _ => TwilioReadStatus.Ok,
        };
    }

    /// <summary>
    /// The raw bytes of the current string token, sliced from the input so the span's lifetime is the frame's
    /// (the reader's own <c>ValueSpan</c> cannot escape it). Twilio ids, mark names and digits are plain ASCII.
    /// </summary>
    private static ReadOnlySpan<byte> StringValue(ReadOnlySpan<byte> utf8Json, scoped ref Utf8JsonReader reader) =>
        utf8Json.Slice(checked((int)reader.TokenStartIndex) + 1, reader.ValueSpan.Length);

    private static TwilioEvent Classify(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("media"u8))
        {
            return TwilioEvent.Media;
        }

        if (reader.ValueTextEquals("mark"u8))
        {
            return TwilioEvent.Mark;
        }

        if (reader.ValueTextEquals("start"u8))
        {
            return TwilioEvent.Start;
        }

        if (reader.ValueTextEquals("connected"u8))
        {
            return TwilioEvent.Connected;
        }

        if (reader.ValueTextEquals("dtmf"u8))
        {
            return TwilioEvent.Dtmf;
        }

        return reader.ValueTextEquals("stop"u8) ? TwilioEvent.Stop : TwilioEvent.Unknown;
    }

    private static TwilioReadStatus ReadMedia(ref Utf8JsonReader reader, Span<byte> audio, ref long timestamp, ref int payloadLength)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return TwilioReadStatus.MissingField;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("payload"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    return TwilioReadStatus.InvalidBase64;
                }

                var status = DecodeBase64(ref reader, audio, out payloadLength);
                if (status != TwilioReadStatus.Ok)
                {
                    return status;
                }
            }
            else if (reader.ValueTextEquals("timestamp"u8))
            {
                reader.Read();
                // Twilio sends numeric-looking fields as strings
                // (docs/protocols/twilio-media-streams.md#messages-from-twilio); accept a number too.
                if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped
                    && Utf8Parser.TryParse(reader.ValueSpan, out long ms, out var used) && used == reader.ValueSpan.Length)
                {
                    timestamp = ms;
                }
                else if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var number))
                {
                    timestamp = number;
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return TwilioReadStatus.Ok;
    }

    private static TwilioReadStatus DecodeBase64(ref Utf8JsonReader reader, Span<byte> audio, out int written)
    {
        written = 0;
        if (reader.ValueIsEscaped)
        {
            // A JSON-escaped payload ("\/") is legal JSON but unusual: unescape through a pooled buffer.
            var rented = ArrayPool<byte>.Shared.Rent(reader.ValueSpan.Length);
            try
            {
                var length = reader.CopyString(rented);
                return Decode(rented.AsSpan(0, length), audio, out written);
            }
            catch (InvalidOperationException)
            {
                // The escapes do not unescape to valid UTF-8 (a lone \uD800, say): not base64 (found by CsCheck fuzzing).
                return TwilioReadStatus.InvalidBase64;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        return Decode(reader.ValueSpan, audio, out written);
    }

    private static TwilioReadStatus Decode(ReadOnlySpan<byte> base64, Span<byte> audio, out int written)
    {
        written = 0;
        if (Base64.GetMaxDecodedFromUtf8Length(base64.Length) > audio.Length)
        {
            return TwilioReadStatus.PayloadTooLarge;
        }

        var result = Base64.DecodeFromUtf8(base64, audio, out var consumed, out written);
        return result == OperationStatus.Done && consumed == base64.Length ? TwilioReadStatus.Ok : TwilioReadStatus.InvalidBase64;
    }

    private static ReadOnlySpan<byte> ReadStringMember(ReadOnlySpan<byte> utf8Json, scoped ref Utf8JsonReader reader, scoped ReadOnlySpan<byte> member)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return default;
        }

        ReadOnlySpan<byte> value = default;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var match = reader.ValueTextEquals(member);
            reader.Read();
            if (match && reader.TokenType == JsonTokenType.String)
            {
                value = StringValue(utf8Json, ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return value;
    }
}
