using System.Text;
using VoiceBridge.Realtime.Audit;

namespace VoiceBridge.Realtime.Tests.Audit;

public sealed class AuditVerifierTests
{
    [Fact]
    public void CompleteTrail_VerifiesComplete()
    {
        var result = AuditTrails.Verify(AuditTrails.Build(records: 5));

        Assert.Equal(AuditFileStatus.Complete, result.Status);
        Assert.Equal(6, result.Records);
        Assert.Equal("CA0123456789abcdef", result.CallId);
    }

    [Fact]
    public void TrailWithoutClose_IsIncompleteNotBroken()
    {
        var result = AuditTrails.Verify(AuditTrails.Build(records: 5, close: false));

        Assert.Equal(AuditFileStatus.Incomplete, result.Status);
        Assert.Equal(5, result.Records);
        Assert.Null(result.Break);
    }

    [Fact]
    public void FlippingAnyByte_BreaksTheLineItIsIn()
    {
        var clean = AuditTrails.Build(records: 3);
        var starts = AuditTrails.LineStarts(clean);
        for (var position = 0; position < clean.Length; position++)
        {
            var tampered = (byte[])clean.Clone();
            tampered[position] ^= 0x01;
            var result = AuditTrails.Verify(tampered);

            var line = starts.FindLastIndex(s => s <= position) + 1;
            Assert.True(result.Status == AuditFileStatus.Broken, $"byte {position} (line {line}) flipped but verify said {result.Status}");
            Assert.Equal(line, result.Break!.Line);
            Assert.Equal(line - 1, result.Break.Seq);
        }
    }

    [Fact]
    public void DeletedLine_BreaksAtTheNextRecord()
    {
        var lines = Encoding.UTF8.GetString(AuditTrails.Build(records: 4)).Split('\n').ToList();
        lines.RemoveAt(2);

        var result = AuditTrails.Verify(Encoding.UTF8.GetBytes(string.Join('\n', lines)));

        Assert.Equal(AuditFileStatus.Broken, result.Status);
        Assert.Equal(new AuditBreak(2, 3, "sequence number 3 where 2 was expected (a record is missing or out of order)"), result.Break);
    }

    [Fact]
    public void DeletedLastRecord_LeavesAnIncompleteButVerifiableTrail()
    {
        // Without a key nothing can tell a cut after a record from a crash there; the close record is what proves completion.
        var lines = Encoding.UTF8.GetString(AuditTrails.Build(records: 4)).Split('\n').ToList();
        lines.RemoveAt(lines.Count - 2);

        Assert.Equal(AuditFileStatus.Incomplete, AuditTrails.Verify(Encoding.UTF8.GetBytes(string.Join('\n', lines))).Status);
    }

    [Fact]
    public void SwappedLines_Break()
    {
        var lines = Encoding.UTF8.GetString(AuditTrails.Build(records: 4)).Split('\n');
        (lines[2], lines[3]) = (lines[3], lines[2]);

        var result = AuditTrails.Verify(Encoding.UTF8.GetBytes(string.Join('\n', lines)));

        Assert.Equal(AuditFileStatus.Broken, result.Status);
        Assert.Equal(2, result.Break!.Seq);
    }

    [Fact]
    public void TornLastLine_AtEveryLength_IsIncompleteWithEverythingBeforeIt()
    {
        var clean = AuditTrails.Build(records: 3);
        var starts = AuditTrails.LineStarts(clean);
        var lastLineStart = starts[^2];
        for (var cut = lastLineStart; cut < clean.Length - 1; cut++)
        {
            var result = AuditTrails.Verify(clean[..cut]);

            Assert.Equal(AuditFileStatus.Incomplete, result.Status);
            Assert.Equal(3, result.Records);
            Assert.Equal(cut - lastLineStart, result.TornBytes);
        }
    }

    [Fact]
    public void LastLineMissingOnlyItsNewline_StillCounts()
    {
        var clean = AuditTrails.Build(records: 3);

        var result = AuditTrails.Verify(clean[..^1]);

        Assert.Equal(AuditFileStatus.Complete, result.Status);
        Assert.Equal(4, result.Records);
    }

    [Fact]
    public void EmptyOrTornHeader_IsIncompleteWithNoRecords()
    {
        Assert.Equal(new AuditVerification(AuditFileStatus.Incomplete, 0, null, null, 0), AuditTrails.Verify([]));
        Assert.Equal(AuditFileStatus.Incomplete, AuditTrails.Verify(AuditTrails.Build(0)[..40]).Status);
    }

    [Fact]
    public void RecordAfterClose_Breaks()
    {
        var a = AuditTrails.Build(records: 1);
        var tail = Encoding.UTF8.GetString(a).Split('\n')[1] + "\n";

        var result = AuditTrails.Verify([.. a, .. Encoding.UTF8.GetBytes(tail)]);

        Assert.Equal(AuditFileStatus.Broken, result.Status);
        Assert.Equal(3, result.Break!.Seq);
    }

    [Fact]
    public void StreamAndSpan_Agree_ForLinesLongerThanTheReadBuffer()
    {
        using var writer = new AuditChainWriter();
        var file = new MemoryStream();
        file.Write(writer.WriteHeader(new AuditHeader("c", "browser", AuditTrails.Start, "n")).Span);
        var big = Encoding.UTF8.GetBytes($$$"""{"type":"session.update","session":{"instructions":"{{{new string('a', 200_000)}}}"}}""");
        file.Write(writer.WriteRecord(AuditTrails.Start, AuditDirection.CallerIn, "session.update", big).Span);
        file.Write(writer.WriteClose(AuditTrails.Start, "done").Span);
        file.Position = 0;

        var fromStream = AuditVerifier.Verify(file);

        Assert.Equal(AuditFileStatus.Complete, fromStream.Status);
        Assert.Equal(AuditVerifier.Verify(file.ToArray().AsSpan()), fromStream);
    }
}
