using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Realtime.Protocol;

/// <summary>
/// The fast paths for the per-frame events (<c>input_audio_buffer.append</c>, <c>response.output_audio.delta</c>):
/// <see cref="Utf8JsonReader"/>/<see cref="Utf8JsonWriter"/> over pooled buffers, base64 straight into and out of
/// the buffers. After warm-up nothing is allocated per frame beyond <see cref="ArrayPool{T}.Shared"/> rentals
/// (checked by a test over 1,000 frames). The writer state is cached per thread.
/// </summary>
public static class RealtimeAudioFrames
{
    [ThreadStatic]
    private static FrameWriter? t_writer;

    /// <summary>An upper bound of the audio bytes a frame of <paramref name="frameLength"/> bytes can carry.</summary>
    public static int GetMaxDecodedAudioLength(int frameLength) => Base64.GetMaxDecodedFromUtf8Length(frameLength);

    /// <summary>
    /// <c>{"type":"input_audio_buffer.append","audio":"&lt;base64&gt;"}</c> as a pooled message of kind
    /// <see cref="RealtimeMessageKind.Audio"/> (the caller owns it). <paramref name="audio"/> is in the session's
    /// input format.
    /// </summary>
    public static RealtimeMessage WriteInputAudioBufferAppend(ReadOnlySpan<byte> audio)
    {
        var frame = Writer(64 + Base64.GetMaxEncodedToUtf8Length(audio.Length));
        var json = frame.Json;
        json.WriteStartObject();
        json.WriteString("type"u8, "input_audio_buffer.append"u8);
        // Utf8JsonWriter base64-encodes straight into the pooled output; base64 needs no JSON escaping.
        json.WriteBase64String("audio"u8, audio);
        json.WriteEndObject();
        return frame.Detach();
    }

    /// <summary>
    /// A <c>response.output_audio.delta</c> frame (what the simulator sends), as a pooled message of kind
    /// <see cref="RealtimeMessageKind.Audio"/>. Field order follows the fixtures.
    /// </summary>
    public static RealtimeMessage WriteOutputAudioDelta(
        ReadOnlySpan<byte> audio,
        ReadOnlySpan<char> eventId,
        ReadOnlySpan<char> responseId,
        ReadOnlySpan<char> itemId,
        int outputIndex,
        int contentIndex)
    {
        var frame = Writer(160 + eventId.Length + responseId.Length + itemId.Length + Base64.GetMaxEncodedToUtf8Length(audio.Length));
        var json = frame.Json;
        json.WriteStartObject();
        json.WriteString("type"u8, "response.output_audio.delta"u8);
        if (!eventId.IsEmpty)
        {
            json.WriteString("event_id"u8, eventId);
        }

        json.WriteString("response_id"u8, responseId);
        json.WriteString("item_id"u8, itemId);
        json.WriteNumber("output_index"u8, outputIndex);
        json.WriteNumber("content_index"u8, contentIndex);
        json.WriteBase64String("delta"u8, audio);
        json.WriteEndObject();
        return frame.Detach();
    }

    /// <summary>
    /// Reads a <c>response.output_audio.delta</c> (or beta <c>response.audio.delta</c>) frame: ids as ranges into
    /// <paramref name="utf8Json"/>, audio decoded into <paramref name="audioDestination"/> (size it with
    /// <see cref="GetMaxDecodedAudioLength"/>). False when the frame is not such an event, is malformed, or the
    /// destination is too small.
    /// </summary>
    public static bool TryReadOutputAudioDelta(ReadOnlySpan<byte> utf8Json, Span<byte> audioDestination, out OutputAudioDeltaFrame frame)
    {
        frame = default;
        Range responseId = default, itemId = default;
        int outputIndex = 0, contentIndex = 0, audioLength = -1;
        var typeOk = false;
        try
        {
            var reader = new Utf8JsonReader(utf8Json, isFinalBlock: true, state: default);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("type"u8))
                {
                    reader.Read();
                    typeOk = reader.TokenType == JsonTokenType.String
                        && (reader.ValueTextEquals("response.output_audio.delta"u8) || reader.ValueTextEquals("response.audio.delta"u8));
                    if (!typeOk)
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("delta"u8))
                {
                    reader.Read();
                    audioLength = DecodeBase64String(ref reader, audioDestination);
                    if (audioLength < 0)
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("response_id"u8))
                {
                    reader.Read();
                    responseId = StringRange(ref reader);
                }
                else if (reader.ValueTextEquals("item_id"u8))
                {
                    reader.Read();
                    itemId = StringRange(ref reader);
                }
                else if (reader.ValueTextEquals("output_index"u8))
                {
                    reader.Read();
                    // A non-number here is a malformed event, not an exception (found by the CsCheck fuzz tests).
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out outputIndex))
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("content_index"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out contentIndex))
                    {
                        return false;
                    }
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
            return false;
        }
        catch (FormatException)
        {
            return false;
        }

        if (!typeOk || audioLength < 0)
        {
            return false;
        }

        frame = new OutputAudioDeltaFrame(responseId, itemId, outputIndex, contentIndex, audioLength);
        return true;
    }

    /// <summary>
    /// Reads an <c>input_audio_buffer.append</c> frame (what the simulator receives): audio decoded into
    /// <paramref name="audioDestination"/>; <paramref name="audioLength"/> is the byte count.
    /// </summary>
    public static bool TryReadInputAudioBufferAppend(ReadOnlySpan<byte> utf8Json, Span<byte> audioDestination, out int audioLength)
    {
        audioLength = -1;
        var typeOk = false;
        try
        {
            var reader = new Utf8JsonReader(utf8Json, isFinalBlock: true, state: default);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("type"u8))
                {
                    reader.Read();
                    typeOk = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("input_audio_buffer.append"u8);
                    if (!typeOk)
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("audio"u8))
                {
                    reader.Read();
                    audioLength = DecodeBase64String(ref reader, audioDestination);
                    if (audioLength < 0)
                    {
                        return false;
                    }
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
            return false;
        }

        return typeOk && audioLength >= 0;
    }

    // A JSON string token's content range inside the frame. Ids never need escaping in practice; an escaped one is
    // returned raw (still stable for equality between frames).
    private static Range StringRange(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            return default;
        }

        var start = (int)reader.TokenStartIndex + 1;
        return new Range(start, start + reader.ValueSpan.Length);
    }

    // Returns the decoded byte count, or -1 when the token is not valid base64 or the destination is too small.
    private static int DecodeBase64String(ref Utf8JsonReader reader, Span<byte> destination)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            return -1;
        }

        if (!reader.ValueIsEscaped)
        {
            return Decode(reader.ValueSpan, destination);
        }

        // A writer that escapes '/' or '+' (legal JSON): unescape into a pooled buffer first.
        var scratch = ArrayPool<byte>.Shared.Rent(reader.ValueSpan.Length);
        try
        {
            var length = reader.CopyString(scratch);
            return Decode(scratch.AsSpan(0, length), destination);
        }
        catch (InvalidOperationException)
        {
            // An escape that does not unescape to valid UTF-8 (a lone surrogate such as \ud800) cannot be base64.
            return -1;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private static int Decode(ReadOnlySpan<byte> base64, Span<byte> destination)
    {
        var status = Base64.DecodeFromUtf8(base64, destination, out _, out var written);
        return status == OperationStatus.Done ? written : -1;
    }

    private static FrameWriter Writer(int expectedSize)
    {
        var writer = t_writer ??= new FrameWriter();
        writer.Begin(expectedSize);
        return writer;
    }

    // One pooled buffer writer and one Utf8JsonWriter per thread, reset for each frame: no per-frame objects.
    // It lives as long as its thread and hands its buffer away after every frame, so there is nothing to dispose.
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "Thread-static cache; the pooled buffer is detached after each frame.")]
    private sealed class FrameWriter
    {
        private readonly PooledBufferWriter _buffer = new();

        public FrameWriter()
        {
            Json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });
        }

        public Utf8JsonWriter Json { get; }

        public void Begin(int expectedSize)
        {
            _buffer.Reset();
            _buffer.GetSpan(expectedSize);
            Json.Reset(_buffer);
        }

        public RealtimeMessage Detach()
        {
            Json.Flush();
            return _buffer.DetachMessage(RealtimeMessageKind.Audio);
        }
    }
}
