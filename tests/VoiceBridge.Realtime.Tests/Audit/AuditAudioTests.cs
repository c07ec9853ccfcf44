using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using VoiceBridge.Realtime.Audit;
using VoiceBridge.Realtime.Tests.Protocol;

namespace VoiceBridge.Realtime.Tests.Audit;

public sealed class AuditAudioTests
{
    [Theory]
    [InlineData("twilio-media-stream-from-twilio.jsonl", "\"event\":\"media\"", "media.payload")]
    [InlineData("openai-realtime-client-events.jsonl", "input_audio_buffer.append", "audio")]
    [InlineData("openai-realtime-server-events-function-call-turn.jsonl", "response.output_audio.delta", "delta")]
    public void Rewrite_ReplacesThePayloadByLengthOffsetAndHash_KeepingEveryOtherField(string file, string marker, string field)
    {
        var original = RealtimeFixtures.Lines(file).First(l => l.Contains(marker, StringComparison.Ordinal));
        using var before = JsonDocument.Parse(original);
        var path = field.Split('.');
        var payloadElement = path.Aggregate(before.RootElement, (e, name) => e.GetProperty(name));
        var audio = payloadElement.GetBytesFromBase64();
        var output = new ArrayBufferWriter<byte>();

        Assert.True(AuditAudio.TryRewrite(Encoding.UTF8.GetBytes(original), 4800, output, out var reference));

        using var after = JsonDocument.Parse(output.WrittenMemory);
        var replaced = path.Aggregate(after.RootElement, (e, name) => e.GetProperty(name));
        Assert.Equal(audio.Length, replaced.GetProperty("bytes").GetInt32());
        Assert.Equal(4800, replaced.GetProperty("offset").GetInt64());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(audio)), replaced.GetProperty("sha256").GetString());
        Assert.Equal(new AuditAudioRef(audio.Length, 4800), reference);
        var payloadText = payloadElement.GetRawText();
        Assert.Equal(original.Replace(payloadText, replaced.GetRawText(), StringComparison.Ordinal), Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Theory]
    [InlineData("twilio-media-stream-from-twilio.jsonl", "\"event\":\"media\"", "media.payload")]
    [InlineData("openai-realtime-client-events.jsonl", "input_audio_buffer.append", "audio")]
    [InlineData("openai-realtime-server-events-function-call-turn.jsonl", "response.output_audio.delta", "delta")]
    public void Rewrite_WithThePayloadAlreadyDecoded_WritesTheSameRecord(string file, string marker, string field)
    {
        // The legs hand the audit the payload they decoded; the record must not differ from one that decodes it again,
        // or `audit verify` and old trails would disagree with new ones.
        var original = Encoding.UTF8.GetBytes(RealtimeFixtures.Lines(file).First(l => l.Contains(marker, StringComparison.Ordinal)));
        using var document = JsonDocument.Parse(original);
        var audio = field.Split('.').Aggregate(document.RootElement, (e, name) => e.GetProperty(name)).GetBytesFromBase64();
        var decoding = new ArrayBufferWriter<byte>();
        var given = new ArrayBufferWriter<byte>();

        Assert.True(AuditAudio.TryRewrite(original, 960, decoding, out var decodedReference));
        Assert.True(AuditAudio.TryRewrite(original, 960, audio, given, out var givenReference));

        Assert.Equal(Encoding.UTF8.GetString(decoding.WrittenSpan), Encoding.UTF8.GetString(given.WrittenSpan));
        Assert.Equal(decodedReference, givenReference);
    }

    [Fact]
    public void Rewrite_UnescapesAnEscapedPayload()
    {
        var bytes = new byte[] { 0xFB, 0xEF, 0xFE, 0x01 };
        var base64 = Convert.ToBase64String(bytes).Replace("/", "\\u002F", StringComparison.Ordinal).Replace("+", "\\u002B", StringComparison.Ordinal);
        var json = Encoding.UTF8.GetBytes($$"""{"type":"input_audio_buffer.append","audio":"{{base64}}"}""");
        var output = new ArrayBufferWriter<byte>();

        Assert.True(AuditAudio.TryRewrite(json, 0, output, out var reference));
        Assert.Equal(4, reference.Bytes);
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(bytes)), Encoding.UTF8.GetString(output.WrittenSpan), StringComparison.Ordinal);
    }

    [Fact]
    public void Rewrite_WithoutAudio_WritesNothing()
    {
        var output = new ArrayBufferWriter<byte>();

        Assert.False(AuditAudio.TryRewrite("""{"type":"response.output_audio_transcript.done","transcript":"hi"}"""u8, 0, output, out _));
        Assert.False(AuditAudio.TryRewrite("""{"event":"mark","mark":{"payload":"x"}}"""u8, 0, output, out _));
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void Rewrite_InvalidBase64_KeepsOnlyItsLength()
    {
        var output = new ArrayBufferWriter<byte>();

        Assert.True(AuditAudio.TryRewrite("""{"type":"input_audio_buffer.append","audio":"not base64!"}"""u8, 0, output, out _));
        Assert.Equal("""{"type":"input_audio_buffer.append","audio":{"invalid_base64_chars":11}}""", Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void Rewrite_EscapeThatIsNotValidUtf8_IsRecordedAsInvalid_NotThrown()
    {
        // A browser client sent this; it used to throw in the audit writer and stop the host.
        var output = new ArrayBufferWriter<byte>();

        Assert.True(AuditAudio.TryRewrite("""{"type":"input_audio_buffer.append","audio":"AAAA\ud800"}"""u8, 0, output, out _));
        Assert.Equal("""{"type":"input_audio_buffer.append","audio":{"invalid_base64_chars":10}}""", Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void AudioRecord_InTheChain_HoldsNoPayload()
    {
        using var writer = new AuditChainWriter();
        writer.WriteHeader(new AuditHeader("c", "browser", AuditTrails.Start, "n"));
        var payload = Convert.ToBase64String(new byte[960]);
        var json = Encoding.UTF8.GetBytes($$"""{"type":"input_audio_buffer.append","audio":"{{payload}}"}""");

        var line = Encoding.UTF8.GetString(writer.WriteAudioRecord(AuditTrails.Start, AuditDirection.UpstreamOut, "input_audio_buffer.append", json, 9600).Span);

        Assert.DoesNotContain(payload, line, StringComparison.Ordinal);
        Assert.Contains("\"audio\":{\"bytes\":960,\"offset\":9600,\"sha256\":\"", line, StringComparison.Ordinal);
    }
}
