using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using VoiceBridge.Realtime.Audit;

namespace VoiceBridge.Realtime.Tests.Audit;

public sealed class AuditChainWriterTests
{
    [Fact]
    public void Record_CarriesSeqTimestampDirectionTypeEventAndChain()
    {
        var content = AuditTrails.Build(records: 2);
        var lines = Encoding.UTF8.GetString(content).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(4, lines.Length);
        using var header = JsonDocument.Parse(lines[0]);
        Assert.Equal("voicebridge-audit", header.RootElement.GetProperty("format").GetString());
        Assert.Equal(1, header.RootElement.GetProperty("version").GetInt32());
        Assert.Equal("CA0123456789abcdef", header.RootElement.GetProperty("call_id").GetString());
        Assert.Equal("twilio", header.RootElement.GetProperty("transport").GetString());
        Assert.Equal("2026-11-24T02:40:00.123Z", header.RootElement.GetProperty("started").GetString());

        using var first = JsonDocument.Parse(lines[1]);
        var record = first.RootElement;
        Assert.Equal(1, record.GetProperty("seq").GetInt64());
        Assert.Equal("2026-11-24T02:40:00.143Z", record.GetProperty("ts").GetString());
        Assert.Equal("caller_in", record.GetProperty("dir").GetString());
        Assert.Equal("mark", record.GetProperty("type").GetString());
        Assert.Equal("chunk-1", record.GetProperty("event").GetProperty("mark").GetProperty("name").GetString());
        Assert.Equal(header.RootElement.GetProperty("hash").GetString(), record.GetProperty("prev").GetString());

        using var close = JsonDocument.Parse(lines[3]);
        Assert.Equal(AuditFormat.CloseType, close.RootElement.GetProperty("type").GetString());
        Assert.Equal("bridge", close.RootElement.GetProperty("dir").GetString());
        Assert.Equal("caller_hangup", close.RootElement.GetProperty("event").GetProperty("end_reason").GetString());
    }

    [Fact]
    public void Hash_IsSha256OfTheLineBytesBeforeTheHashField()
    {
        var line = Encoding.UTF8.GetString(AuditTrails.Build(records: 1)).Split('\n')[1];
        var cut = line.LastIndexOf(",\"hash\":\"", StringComparison.Ordinal);
        var expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(line[..cut])));

        Assert.Equal(expected, JsonDocument.Parse(line).RootElement.GetProperty("hash").GetString());
    }

    [Fact]
    public void Event_IsEmbeddedVerbatim()
    {
        using var writer = new AuditChainWriter();
        writer.WriteHeader(new AuditHeader("c", "browser", AuditTrails.Start, "n"));
        var json = """{"type":"session.update","session":{"instructions":"Be brief. \u00e9 \"quoted\"","x":1.50}}"""u8;

        var line = Encoding.UTF8.GetString(writer.WriteRecord(AuditTrails.Start, AuditDirection.CallerIn, "session.update", json).Span);

        Assert.Contains(",\"event\":" + Encoding.UTF8.GetString(json) + ",\"prev\":", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Event_WithLineBreaks_StaysOneLineAndEquivalent()
    {
        using var writer = new AuditChainWriter();
        writer.WriteHeader(new AuditHeader("c", "browser", AuditTrails.Start, "n"));
        var json = "{\r\n  \"type\": \"response.create\",\n  \"response\": {}\n}"u8;

        var line = writer.WriteRecord(AuditTrails.Start, AuditDirection.CallerIn, "response.create", json).ToArray();

        Assert.Equal(line.Length - 1, Array.IndexOf(line, (byte)'\n'));
        using var doc = JsonDocument.Parse(line);
        Assert.Equal("response.create", doc.RootElement.GetProperty("event").GetProperty("type").GetString());
    }

    [Fact]
    public void Event_ThatIsNotJson_IsKeptAsBytes_AndTheLineStillVerifies()
    {
        using var writer = new AuditChainWriter();
        var file = new MemoryStream();
        file.Write(writer.WriteHeader(new AuditHeader("c", "twilio", AuditTrails.Start, "n")).Span);
        byte[] garbage = [(byte)'{', (byte)'"', 0xFF, (byte)'\n', (byte)'x'];
        var line = writer.WriteRecord(AuditTrails.Start, AuditDirection.CallerIn, "invalid", garbage).ToArray();
        file.Write(line);

        using var doc = JsonDocument.Parse(line);
        Assert.Equal(garbage, doc.RootElement.GetProperty("event").GetProperty("unparsed_base64").GetBytesFromBase64());
        Assert.Equal(AuditFileStatus.Incomplete, AuditVerifier.Verify(file.ToArray().AsSpan()).Status);
    }

    [Fact]
    public void RecordAfterClose_Throws()
    {
        using var writer = new AuditChainWriter();
        writer.WriteHeader(new AuditHeader("c", "twilio", AuditTrails.Start, "n"));
        writer.WriteClose(AuditTrails.Start, "done");

        Assert.Throws<InvalidOperationException>(() => writer.WriteRecord(AuditTrails.Start, AuditDirection.Bridge, "late", "{}"u8));
    }
}
