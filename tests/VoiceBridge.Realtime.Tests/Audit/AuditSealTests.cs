using System.Text;
using VoiceBridge.Realtime.Audit;

namespace VoiceBridge.Realtime.Tests.Audit;

public sealed class AuditSealTests
{
    private static readonly AuditSigningKey Key = Parse(AuditSigningKey.NewBase64());
    private static readonly AuditSigningKey OldKey = Parse(AuditSigningKey.NewBase64());

    [Fact]
    public void SealedTrail_VerifiesWithItsKey_AmongRotatedKeys()
    {
        var trail = Build(Key);

        var result = AuditVerifier.Verify(trail.AsSpan(), [OldKey, Key]);

        Assert.Equal(AuditFileStatus.Complete, result.Status);
        Assert.True(result.Sealed);
        Assert.Equal(Key.Id, result.KeyId);
        Assert.Contains($"\"kid\":\"{Key.Id}\"", Encoding.UTF8.GetString(trail), StringComparison.Ordinal);
    }

    [Fact]
    public void SealedTrail_WithoutItsKey_IsNotTrusted()
    {
        var result = AuditVerifier.Verify(Build(Key).AsSpan(), [OldKey]);

        Assert.Equal(AuditFileStatus.Broken, result.Status);
        Assert.Contains("not among the keys given", result.Break!.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void SealedTrail_RehashedWithPlainSha256_FailsItsSeal()
    {
        // Keep the sealed header, rewrite a record's content and recompute its hash the way a version 1 chain does.
        var lines = Encoding.UTF8.GetString(Build(Key)).Split('\n');
        var unsealed = Encoding.UTF8.GetString(AuditTrails.Build(3)).Split('\n');
        lines[2] = unsealed[2];

        var result = AuditVerifier.Verify(Encoding.UTF8.GetBytes(string.Join('\n', lines)).AsSpan(), [Key]);

        Assert.Equal(AuditFileStatus.Broken, result.Status);
        Assert.Equal(3, result.Break!.Line);
    }

    [Fact]
    public void SealingARecord_AllocatesNothing()
    {
        using var writer = new AuditChainWriter(Key);
        writer.WriteHeader(new AuditHeader("CA1", AuditFormat.TwilioTransport, AuditTrails.Start, "00"));
        var json = """{"event":"mark","streamSid":"MZ1","mark":{"name":"chunk-1"}}"""u8.ToArray();
        for (var i = 0; i < 100; i++)
        {
            writer.WriteRecord(AuditTrails.Start, AuditDirection.CallerIn, "mark", json);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 5_000; i++)
        {
            writer.WriteRecord(AuditTrails.Start, AuditDirection.CallerIn, "mark", json);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [InlineData("", "the key is empty")]
    [InlineData("c2hvcnQ=", "at least 32 are required")]
    [InlineData("%%%", "not base64")]
    public void TooShortOrMalformedKeys_AreRefused(string text, string reason)
    {
        Assert.False(AuditSigningKey.TryParse(text, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    private static byte[] Build(AuditSigningKey key)
    {
        using var writer = new AuditChainWriter(key);
        var file = new MemoryStream();
        file.Write(writer.WriteHeader(new AuditHeader("CA0123456789abcdef", AuditFormat.TwilioTransport, AuditTrails.Start, "00112233445566778899aabbccddeeff")).Span);
        for (var i = 1; i <= 3; i++)
        {
            file.Write(writer.WriteRecord(AuditTrails.Start.AddMilliseconds(i), AuditDirection.CallerIn, "mark", Encoding.UTF8.GetBytes($$"""{"n":{{i}}}""")).Span);
        }

        file.Write(writer.WriteClose(AuditTrails.Start.AddSeconds(1), "caller_hung_up").Span);
        return file.ToArray();
    }

    private static AuditSigningKey Parse(string text) => AuditSigningKey.TryParse(text, out var key, out _) ? key! : throw new InvalidOperationException();
}
