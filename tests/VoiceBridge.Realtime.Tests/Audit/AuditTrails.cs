using System.Text;
using VoiceBridge.Realtime.Audit;

namespace VoiceBridge.Realtime.Tests.Audit;

/// <summary>Builds small audit trails in memory with the real chain writer.</summary>
internal static class AuditTrails
{
    public static readonly DateTimeOffset Start = new(2026, 11, 24, 2, 40, 0, 123, TimeSpan.Zero);

    /// <summary>Header + <paramref name="records"/> records (+ the close record when <paramref name="close"/>).</summary>
    public static byte[] Build(int records, bool close = true, string callId = "CA0123456789abcdef")
    {
        using var writer = new AuditChainWriter();
        var file = new MemoryStream();
        file.Write(writer.WriteHeader(new AuditHeader(callId, AuditFormat.TwilioTransport, Start, "00112233445566778899aabbccddeeff")).Span);
        for (var i = 1; i <= records; i++)
        {
            var json = Encoding.UTF8.GetBytes($$$"""{"event":"mark","streamSid":"MZ1","mark":{"name":"chunk-{{{i}}}"}}""");
            file.Write(writer.WriteRecord(Start.AddMilliseconds(20 * i), i % 2 == 0 ? AuditDirection.CallerOut : AuditDirection.CallerIn, "mark", json).Span);
        }

        if (close)
        {
            file.Write(writer.WriteClose(Start.AddSeconds(5), "caller_hangup").Span);
        }

        return file.ToArray();
    }

    public static AuditVerification Verify(byte[] content) => AuditVerifier.Verify(content.AsSpan());

    /// <summary>Start offset of each line (index 0 = line 1) plus the file length at the end.</summary>
    public static List<int> LineStarts(byte[] content)
    {
        var starts = new List<int> { 0 };
        for (var i = 0; i < content.Length; i++)
        {
            if (content[i] == (byte)'\n')
            {
                starts.Add(i + 1);
            }
        }

        return starts;
    }
}
