using System.Buffers;
using System.Text.Json;

namespace VoiceBridge.Server.Twilio;

/// <summary>
/// Writes the three messages Twilio accepts on a bidirectional stream
/// (docs/protocols/twilio-media-streams.md#messages-to-twilio), with exactly the documented fields (extra or missing
/// ones raise warning 31951). One instance per call reuses its
/// <see cref="Utf8JsonWriter"/>, so writing a frame allocates nothing.
/// </summary>
internal sealed class TwilioWriter : IDisposable
{
    private readonly Utf8JsonWriter _json = new(Stream.Null, new JsonWriterOptions { SkipValidation = true });
    private readonly byte[] _streamSid;

    public TwilioWriter(string streamSid)
    {
        _streamSid = System.Text.Encoding.UTF8.GetBytes(streamSid);
    }

    /// <summary><c>{"event":"media","streamSid":…,"media":{"payload":base64(μ-law)}}</c>.</summary>
    public void WriteMedia(IBufferWriter<byte> output, ReadOnlySpan<byte> mulaw)
    {
        Begin(output, "media"u8);
        _json.WriteStartObject("media"u8);
        _json.WriteBase64String("payload"u8, mulaw);
        _json.WriteEndObject();
        End();
    }

    /// <summary><c>{"event":"mark","streamSid":…,"mark":{"name":…}}</c>: Twilio echoes it once the audio before it has played.</summary>
    public void WriteMark(IBufferWriter<byte> output, ReadOnlySpan<char> name)
    {
        Begin(output, "mark"u8);
        _json.WriteStartObject("mark"u8);
        _json.WriteString("name"u8, name);
        _json.WriteEndObject();
        End();
    }

    /// <summary><c>{"event":"clear","streamSid":…}</c>: drops unplayed audio and returns every pending mark.</summary>
    public void WriteClear(IBufferWriter<byte> output)
    {
        Begin(output, "clear"u8);
        End();
    }

    public void Dispose() => _json.Dispose();

    private void Begin(IBufferWriter<byte> output, ReadOnlySpan<byte> eventName)
    {
        _json.Reset(output);
        _json.WriteStartObject();
        _json.WriteString("event"u8, eventName);
        _json.WriteString("streamSid"u8, _streamSid);
    }

    private void End()
    {
        _json.WriteEndObject();
        _json.Flush();
    }
}
