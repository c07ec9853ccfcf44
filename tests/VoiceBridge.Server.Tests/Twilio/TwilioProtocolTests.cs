using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using VoiceBridge.Server.Twilio;

namespace VoiceBridge.Server.Tests.Twilio;

public sealed class TwilioProtocolTests
{
    private const string StreamSid = "MZ00112233445566778899aabbccddeeff";

    private static string[] FromTwilio() => File.ReadAllLines(TestFixtures.Path("twilio-media-stream-from-twilio.jsonl"));

    private static string[] ToTwilio() => File.ReadAllLines(TestFixtures.Path("twilio-media-stream-to-twilio.jsonl"));

    [Fact]
    public void FixtureStream_IsReadEventByEvent()
    {
        var audio = new byte[4096];
        var events = new List<string>();
        foreach (var line in FromTwilio())
        {
            var status = TwilioReader.Read(Encoding.UTF8.GetBytes(line), audio, out var frame);
            Assert.Equal(TwilioReadStatus.Ok, status);
            events.Add(frame.Event.ToString());
            if (frame.Event == TwilioEvent.Media)
            {
                Assert.Equal(160, frame.PayloadLength);
                Assert.Equal(StreamSid, Encoding.UTF8.GetString(frame.StreamSid));
                var expected = Convert.FromBase64String(JsonNode.Parse(line)!["media"]!["payload"]!.GetValue<string>());
                Assert.Equal(expected, audio[..frame.PayloadLength]);
                Assert.Equal(long.Parse(JsonNode.Parse(line)!["media"]!["timestamp"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture), frame.TimestampMs);
            }
            else if (frame.Event == TwilioEvent.Dtmf)
            {
                Assert.Equal("5", Encoding.UTF8.GetString(frame.Name));
            }
            else if (frame.Event == TwilioEvent.Mark)
            {
                Assert.Equal("resp_001:item_001:40", Encoding.UTF8.GetString(frame.Name));
            }
        }

        Assert.Equal(["Connected", "Start", "Media", "Media", "Media", "Dtmf", "Media", "Media", "Mark", "Stop"], events);
    }

    [Fact]
    public void StartMessage_CarriesCallSidStreamSidAndParameters()
    {
        var start = TwilioStartReader.TryRead(Encoding.UTF8.GetBytes(FromTwilio()[1]));

        Assert.NotNull(start);
        Assert.Equal("CAfedcba9876543210fedcba9876543210", start.Start!.CallSid);
        Assert.Equal(StreamSid, start.Start.StreamSid);
        Assert.Equal("acme", start.Start.CustomParameters!["tenant"]);
        Assert.Equal(8000, start.Start.MediaFormat!.SampleRate);
    }

    [Theory]
    [InlineData("{\"event\":\"start\",\"start\":{}}")]
    [InlineData("{\"event\":\"start\"}")]
    [InlineData("{\"event\":\"start\",\"start\":{\"callSid\":7}}")]
    [InlineData("not json")]
    public void StartMessage_WithoutUsableCallSid_IsRejected(string json)
    {
        Assert.Null(TwilioStartReader.TryRead(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void Writer_ProducesExactlyTheFixtureMessages()
    {
        var fixture = ToTwilio();
        using var writer = new TwilioWriter(StreamSid);
        var output = new ArrayBufferWriter<byte>();
        var written = new List<string>();
        foreach (var line in fixture)
        {
            output.ResetWrittenCount();
            var node = JsonNode.Parse(line)!;
            switch (node["event"]!.GetValue<string>())
            {
                case "media":
                    writer.WriteMedia(output, Convert.FromBase64String(node["media"]!["payload"]!.GetValue<string>()));
                    break;
                case "mark":
                    writer.WriteMark(output, node["mark"]!["name"]!.GetValue<string>());
                    break;
                default:
                    writer.WriteClear(output);
                    break;
            }

            written.Add(Encoding.UTF8.GetString(output.WrittenSpan));
        }

        for (var i = 0; i < fixture.Length; i++)
        {
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(fixture[i]), JsonNode.Parse(written[i])), $"line {i + 1}: {written[i]}");
        }
    }

    [Theory]
    [InlineData("", nameof(TwilioReadStatus.MalformedJson))]
    [InlineData("{", nameof(TwilioReadStatus.MalformedJson))]
    [InlineData("[1,2]", nameof(TwilioReadStatus.MalformedJson))]
    [InlineData("{\"event\":\"media\"}{}", nameof(TwilioReadStatus.MalformedJson))]
    [InlineData("{\"streamSid\":\"MZ1\"}", nameof(TwilioReadStatus.MissingEvent))]
    [InlineData("{\"event\":7}", nameof(TwilioReadStatus.MissingEvent))]
    [InlineData("{\"event\":\"party\"}", nameof(TwilioReadStatus.UnknownEvent))]
    [InlineData("{\"event\":\"media\",\"streamSid\":\"MZ1\"}", nameof(TwilioReadStatus.MissingField))]
    [InlineData("{\"event\":\"media\",\"media\":{\"payload\":\"!!!!\"}}", nameof(TwilioReadStatus.InvalidBase64))]
    [InlineData("{\"event\":\"media\",\"media\":{\"payload\":\"AAA\"}}", nameof(TwilioReadStatus.InvalidBase64))]
    [InlineData("{\"event\":\"media\",\"media\":{\"payload\":12}}", nameof(TwilioReadStatus.InvalidBase64))]
    [InlineData("{\"event\":\"mark\",\"mark\":{}}", nameof(TwilioReadStatus.MissingField))]
    [InlineData("{\"event\":\"dtmf\",\"dtmf\":{\"digit\":5}}", nameof(TwilioReadStatus.MissingField))]
    public void BadFrames_HaveADefinedStatus(string json, string expected)
    {
        var status = TwilioReader.Read(Encoding.UTF8.GetBytes(json), new byte[1024], out _);

        Assert.Equal(expected, status.ToString());
    }

    [Fact]
    public void OversizedPayload_IsReportedNotOverrun()
    {
        var payload = Convert.ToBase64String(new byte[2000]);
        var json = $"{{\"event\":\"media\",\"media\":{{\"payload\":\"{payload}\"}}}}";

        var status = TwilioReader.Read(Encoding.UTF8.GetBytes(json), new byte[1024], out _);

        Assert.Equal(TwilioReadStatus.PayloadTooLarge, status);
    }

    [Fact]
    public void EscapedPayload_AndEmptyPayload_AndPropertyOrder_AreHandled()
    {
        var audio = new byte[64];
        var escaped = "{\"media\":{\"timestamp\":40,\"payload\":\"\\/\\/8=\"},\"event\":\"media\",\"streamSid\":\"MZ1\"}";

        Assert.Equal(TwilioReadStatus.Ok, TwilioReader.Read(Encoding.UTF8.GetBytes(escaped), audio, out var frame));
        Assert.Equal(2, frame.PayloadLength);
        Assert.Equal(0xFF, audio[0]);
        Assert.Equal(40, frame.TimestampMs);

        var empty = "{\"event\":\"media\",\"media\":{\"payload\":\"\"}}";
        Assert.Equal(TwilioReadStatus.Ok, TwilioReader.Read(Encoding.UTF8.GetBytes(empty), audio, out var emptyFrame));
        Assert.Equal(0, emptyFrame.PayloadLength);
    }

    [Fact]
    public void ReadingAndWritingMediaFrames_AllocatesNothing()
    {
        var line = Encoding.UTF8.GetBytes(FromTwilio()[2]);
        var audio = new byte[1024];
        using var writer = new TwilioWriter(StreamSid);
        var output = new ArrayBufferWriter<byte>(4096);
        for (var i = 0; i < 100; i++)
        {
            TwilioReader.Read(line, audio, out _);
            output.ResetWrittenCount();
            writer.WriteMedia(output, audio.AsSpan(0, 160));
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            TwilioReader.Read(line, audio, out _);
            output.ResetWrittenCount();
            writer.WriteMedia(output, audio.AsSpan(0, 160));
            writer.WriteMark(output, "m");
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
