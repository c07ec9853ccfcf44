using System.Text;
using VoiceBridge.Realtime.Audit;

namespace VoiceBridge.Cli.Tests.Audit;

/// <summary>
/// Writes an audit directory the way the server's file sink does: sealed trails under <c>yyyy-MM-dd/</c> and the
/// process's index under <c>index/</c> (the server's own sink is covered by the server tests; this keeps the CLI tests
/// free of the host).
/// </summary>
internal sealed class ServerLikeAuditDirectory
{
    public static readonly DateTimeOffset Start = new(2026, 11, 24, 2, 40, 0, TimeSpan.Zero);

    public static readonly string KeyText = AuditSigningKey.NewBase64();

    public static readonly AuditSigningKey Key = Parse(KeyText);

    public static readonly AuditSigningKey AttackerKey = Parse(AuditSigningKey.NewBase64());

    private readonly string _root;
    private readonly AuditIndexWriter _index = new(Key);
    private readonly MemoryStream _indexFile = new();

    public ServerLikeAuditDirectory(string root)
    {
        _root = root;
        _indexFile.Write(_index.WriteHeader(Start, "ffeeddccbbaa99887766554433221100").Span);
    }

    public static string[] VerifyArguments => ["--key", KeyText];

    public string WriteCall(string callId, int records)
    {
        var relative = "2026-11-24/" + callId + ".jsonl";
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        _indexFile.Write(_index.WriteOpened(Start, callId, relative).Span);
        var trail = Trail(callId, records, changed: false, Key);
        File.WriteAllBytes(path, trail);
        var verified = AuditVerifier.Verify(trail.AsSpan(), [Key]);
        _indexFile.Write(_index.WriteClosed(Start, callId, relative, verified.Records, Encoding.ASCII.GetBytes(verified.LastHash)).Span);
        return path;
    }

    public void Finish()
    {
        _indexFile.Write(_index.WriteClose(Start.AddMinutes(1)).Span);
        var path = Path.Combine(_root, AuditFormat.IndexDirectory, "2026-11-24T02-40-00.000Z-ffeeddcc" + AuditFormat.IndexExtension);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, _indexFile.ToArray());
        _index.Dispose();
    }

    public static byte[] Trail(string callId, int records, bool changed, AuditSigningKey? key)
    {
        using var writer = new AuditChainWriter(key);
        var file = new MemoryStream();
        file.Write(writer.WriteHeader(new AuditHeader(callId, AuditFormat.TwilioTransport, Start, "00")).Span);
        for (var i = 1; i <= records; i++)
        {
            var text = changed && i == 2 ? "something else" : "the caller said yes";
            file.Write(writer.WriteRecord(Start.AddMilliseconds(i), AuditDirection.Bridge, "test", Encoding.UTF8.GetBytes($"{{\"n\":{i},\"text\":\"{text}\"}}")).Span);
        }

        file.Write(writer.WriteClose(Start.AddSeconds(1), "caller_hung_up").Span);
        return file.ToArray();
    }

    private static AuditSigningKey Parse(string text) =>
        AuditSigningKey.TryParse(text, out var key, out var error) ? key! : throw new InvalidOperationException(error);
}
