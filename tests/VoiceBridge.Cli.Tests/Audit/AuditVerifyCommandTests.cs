using System.CommandLine;
using System.Text;
using VoiceBridge.Cli.Audit;
using VoiceBridge.Realtime.Audit;

namespace VoiceBridge.Cli.Tests.Audit;

public sealed class AuditVerifyCommandTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 2, 40, 0, TimeSpan.Zero);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("vb-audit-cli-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task CleanDirectory_PrintsEveryFileAndExitsZero()
    {
        var complete = Write("CA1.jsonl", records: 3, close: true);
        var incomplete = Write(Path.Combine("day", "CA2.jsonl"), records: 2, close: false);

        var (exit, output) = await RunAsync("audit", "verify", _dir.FullName);

        Assert.Equal(0, exit);
        Assert.Contains($"ok unsealed {complete}: 4 records, complete; unsealed", output, StringComparison.Ordinal);
        Assert.Contains($"ok unsealed {incomplete}: 2 records, no close record", output, StringComparison.Ordinal);
        Assert.Contains("2 files, 6 records: 0 sealed, 2 unsealed, 0 live, 0 interrupted, 0 broken", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FlippedByte_FailsNamingTheRecord()
    {
        var file = Write("CA1.jsonl", records: 4, close: true);
        var bytes = File.ReadAllBytes(file);
        var line3 = IndexOfLine(bytes, 3);
        bytes[line3 + 30] ^= 0x20;
        File.WriteAllBytes(file, bytes);

        var (exit, output) = await RunAsync("audit", "verify", file);

        Assert.Equal(1, exit);
        Assert.Contains($"BROKEN {file}: record 2 (line 3): its hash does not match its content", output, StringComparison.Ordinal);
        Assert.Contains("1 broken", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeletedLine_Fails()
    {
        var file = Write("CA1.jsonl", records: 4, close: true);
        var lines = File.ReadAllLines(file).ToList();
        lines.RemoveAt(1);
        File.WriteAllText(file, string.Join('\n', lines) + "\n");

        var (exit, output) = await RunAsync("audit", "verify", file);

        Assert.Equal(1, exit);
        Assert.Contains("record 1 (line 2): sequence number 2 where 1 was expected", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReorderedLines_Fail()
    {
        var file = Write("CA1.jsonl", records: 4, close: true);
        var lines = File.ReadAllLines(file);
        (lines[3], lines[4]) = (lines[4], lines[3]);
        File.WriteAllText(file, string.Join('\n', lines) + "\n");

        var (exit, output) = await RunAsync("audit", "verify", file);

        Assert.Equal(1, exit);
        Assert.Contains("BROKEN", output, StringComparison.Ordinal);
        Assert.Contains("record 3 (line 4)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TruncatedLastLine_IsIncompleteAndPasses()
    {
        var file = Write("CA1.jsonl", records: 4, close: true);
        var bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes[..^50]);

        var (exit, output) = await RunAsync("audit", "verify", file);

        Assert.Equal(0, exit);
        Assert.Contains($"ok unsealed {file}: 4 records, no close record (torn last line of", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingPath_ExitsTwo()
    {
        var (exit, _) = await RunAsync("audit", "verify", Path.Combine(_dir.FullName, "nope"));

        Assert.Equal(2, exit);
    }

    private string Write(string relative, int records, bool close)
    {
        var path = Path.Combine(_dir.FullName, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var writer = new AuditChainWriter();
        using var file = File.Create(path);
        file.Write(writer.WriteHeader(new AuditHeader(Path.GetFileNameWithoutExtension(path), AuditFormat.TwilioTransport, Start, "00")).Span);
        for (var i = 1; i <= records; i++)
        {
            file.Write(writer.WriteRecord(Start.AddMilliseconds(i), AuditDirection.Bridge, "test", Encoding.UTF8.GetBytes($"{{\"n\":{i}}}")).Span);
        }

        if (close)
        {
            file.Write(writer.WriteClose(Start.AddSeconds(1), "caller_hangup").Span);
        }

        return path;
    }

    private static int IndexOfLine(byte[] bytes, int line)
    {
        var index = 0;
        for (var seen = 1; seen < line; seen++)
        {
            index = Array.IndexOf(bytes, (byte)'\n', index) + 1;
        }

        return index;
    }

    private static async Task<(int Exit, string Output)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var root = new RootCommand { AuditCommand.Create() };
        var exit = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = output }, TestContext.Current.CancellationToken);
        return (exit, output.ToString());
    }
}
