using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;

namespace VoiceBridge.Cli.Call;

/// <summary>
/// Writes what Twilio sends on a Media Streams socket (docs/protocols/twilio-media-streams.md#messages-from-twilio):
/// <c>connected</c>, <c>start</c>, <c>media</c>, <c>mark</c> echoes and <c>stop</c>. Numeric-looking fields are JSON
/// strings as Twilio writes them, and one <c>sequenceNumber</c> counts every message after <c>connected</c>
/// (docs/protocols/twilio-media-streams.md#sequence-numbers-chunks-and-timestamps). The writer and its buffer are
/// reused, so a media frame allocates nothing. Not thread-safe: one message at a time, sent before the next is written.
/// </summary>
internal sealed class TwilioStreamWriter : IDisposable
{
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _json;
    private readonly byte[] _streamSid;
    private long _sequence;

    public TwilioStreamWriter(string streamSid)
    {
        _streamSid = System.Text.Encoding.UTF8.GetBytes(streamSid);
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });
    }

    /// <summary>The last message written.</summary>
    public ReadOnlyMemory<byte> Message => _buffer.WrittenMemory;

    public void WriteConnected()
    {
        Begin();
        _json.WriteString("event"u8, "connected"u8);
        _json.WriteString("protocol"u8, "Call"u8);
        _json.WriteString("version"u8, "1.0.0"u8);
        End(withStreamSid: false);
    }

    public void WriteStart(string accountSid, string callSid, IReadOnlyList<KeyValuePair<string, string>> customParameters)
    {
        BeginNumbered("start"u8);
        _json.WriteStartObject("start"u8);
        _json.WriteString("accountSid"u8, accountSid);
        _json.WriteString("streamSid"u8, _streamSid);
        _json.WriteString("callSid"u8, callSid);
        _json.WriteStartArray("tracks"u8);
        _json.WriteStringValue("inbound"u8);
        _json.WriteEndArray();
        _json.WriteStartObject("customParameters"u8);
        foreach (var (name, value) in customParameters)
        {
            _json.WriteString(name, value);
        }

        _json.WriteEndObject();
        _json.WriteStartObject("mediaFormat"u8);
        _json.WriteString("encoding"u8, "audio/x-mulaw"u8);
        _json.WriteNumber("sampleRate"u8, 8000);
        _json.WriteNumber("channels"u8, 1);
        _json.WriteEndObject();
        _json.WriteEndObject();
        End(withStreamSid: true);
    }

    /// <summary>One inbound frame; <paramref name="chunk"/> starts at 1, <paramref name="timestampMs"/> at 0.</summary>
    public void WriteMedia(long chunk, long timestampMs, ReadOnlySpan<byte> mulaw)
    {
        BeginNumbered("media"u8);
        _json.WriteStartObject("media"u8);
        _json.WriteString("track"u8, "inbound"u8);
        WriteNumberString("chunk"u8, chunk);
        WriteNumberString("timestamp"u8, timestampMs);
        _json.WriteBase64String("payload"u8, mulaw);
        _json.WriteEndObject();
        End(withStreamSid: true);
    }

    /// <summary>The echo of a mark whose audio has played (or was cleared).</summary>
    public void WriteMark(ReadOnlySpan<byte> nameUtf8)
    {
        BeginNumbered("mark"u8);
        _json.WriteStartObject("mark"u8);
        _json.WriteString("name"u8, nameUtf8);
        _json.WriteEndObject();
        End(withStreamSid: true);
    }

    public void WriteStop(string accountSid, string callSid)
    {
        BeginNumbered("stop"u8);
        _json.WriteStartObject("stop"u8);
        _json.WriteString("accountSid"u8, accountSid);
        _json.WriteString("callSid"u8, callSid);
        _json.WriteEndObject();
        End(withStreamSid: true);
    }

    public void Dispose() => _json.Dispose();

    private void Begin()
    {
        _buffer.ResetWrittenCount();
        _json.Reset(_buffer);
        _json.WriteStartObject();
    }

    private void BeginNumbered(ReadOnlySpan<byte> eventName)
    {
        Begin();
        _json.WriteString("event"u8, eventName);
        WriteNumberString("sequenceNumber"u8, ++_sequence);
    }

    private void End(bool withStreamSid)
    {
        if (withStreamSid)
        {
            _json.WriteString("streamSid"u8, _streamSid);
        }

        _json.WriteEndObject();
        _json.Flush();
    }

    private void WriteNumberString(ReadOnlySpan<byte> name, long value)
    {
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, digits, out var length);
        _json.WriteString(name, digits[..length]);
    }
}
