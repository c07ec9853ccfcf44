using System.CommandLine;
using VoiceBridge.Cli.Audit;
using VoiceBridge.Realtime.Audit;

namespace VoiceBridge.Cli.Tests.Audit;

/// <summary>
/// An audit directory as the server writes it (three ended calls), then changed the way someone hiding a call would
/// change it: every change must make <c>voicebridge audit verify</c> exit non-zero naming the file.
/// </summary>
public sealed class AuditTamperTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("vb-audit-tamper-");
    private readonly string _a;
    private readonly string _b;

    public AuditTamperTests()
    {
        var directory = new ServerLikeAuditDirectory(_dir.FullName);
        _a = directory.WriteCall("CAaaaa", records: 6);
        _b = directory.WriteCall("CAbbbb", records: 6);
        directory.WriteCall("CAcccc", records: 6);
        directory.Finish();
    }

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task Untouched_Verifies()
    {
        var (exit, output) = await VerifyAsync();

        Assert.True(exit == 0, output);
        Assert.DoesNotContain("BROKEN", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeletingTheLastRecords_IsBroken()
    {
        var lines = File.ReadAllLines(_a);
        File.WriteAllText(_a, string.Join('\n', lines[..^3]) + "\n");

        await AssertBrokenAsync(_a, "no close record: truncated");
    }

    [Fact]
    public async Task TruncatingMidLine_IsBroken()
    {
        var bytes = File.ReadAllBytes(_a);
        File.WriteAllBytes(_a, bytes[..(bytes.Length / 2)]);

        await AssertBrokenAsync(_a, "no close record: truncated");
    }

    [Fact]
    public async Task DeletingTheCloseRecord_IsBroken()
    {
        var lines = File.ReadAllLines(_a);
        File.WriteAllText(_a, string.Join('\n', lines[..^1]) + "\n");

        await AssertBrokenAsync(_a, "no close record");
    }

    [Fact]
    public async Task SwappingTwoFiles_IsBroken()
    {
        var temporary = _a + ".tmp";
        File.Move(_a, temporary);
        File.Move(_b, _a);
        File.Move(temporary, _b);

        await AssertBrokenAsync(_a, "renamed or swapped");
    }

    [Fact]
    public async Task DeletingAFile_IsBroken()
    {
        File.Delete(_b);

        await AssertBrokenAsync(_b, "missing");
    }

    [Fact]
    public async Task RewritingAFileWithRecomputedHashes_IsBroken()
    {
        // What someone without the signing key can do: write the call again, with one event changed, through the
        // public chain writer (unkeyed SHA-256 hashes, all consistent).
        RewriteWithoutTheKey(_a, key: null);

        await AssertBrokenAsync(_a, "unsealed: rewritten without the key");
    }

    [Fact]
    public async Task RewritingAFileSealedWithAnotherKey_IsBroken()
    {
        RewriteWithoutTheKey(_a, key: ServerLikeAuditDirectory.AttackerKey);

        await AssertBrokenAsync(_a, "not among the keys given");
    }

    private static void RewriteWithoutTheKey(string path, AuditSigningKey? key)
    {
        var original = File.ReadAllLines(path);
        var callId = Path.GetFileNameWithoutExtension(path);
        var written = ServerLikeAuditDirectory.Trail(callId, records: original.Length - 3, changed: true, key);
        File.WriteAllBytes(path, written);
    }

    private async Task AssertBrokenAsync(string file, string because)
    {
        var (exit, output) = await VerifyAsync();

        Assert.True(exit == 1, $"exit {exit}:\n{output}");
        var line = Assert.Single(output.Split('\n'), l => l.StartsWith($"BROKEN {file}:", StringComparison.Ordinal));
        Assert.Contains(because, line, StringComparison.Ordinal);
    }

    private async Task<(int Exit, string Output)> VerifyAsync()
    {
        var output = new StringWriter();
        var root = new RootCommand { AuditCommand.Create() };
        string[] args = ["audit", "verify", _dir.FullName, .. ServerLikeAuditDirectory.VerifyArguments];
        var exit = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = output }, TestContext.Current.CancellationToken);
        return (exit, output.ToString());
    }
}
