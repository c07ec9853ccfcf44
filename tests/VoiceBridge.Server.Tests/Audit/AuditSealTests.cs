using System.Text;
using VoiceBridge.Realtime.Audit;
using VoiceBridge.Server.Audit;

namespace VoiceBridge.Server.Tests.Audit;

/// <summary>The file sink with Audit:SigningKey: sealed trails and the index, verified as an auditor would.</summary>
public sealed class AuditSealTests
{
    private static readonly string KeyText = AuditSigningKey.NewBase64();
    private static readonly IReadOnlyList<AuditSigningKey> Keys = AuditSigningKey.TryParse(KeyText, out var key, out _) ? [key!] : [];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task LiveCall_IsLive_ThenInterruptedAtStop_AndCuttingItAfterwardsIsBroken()
    {
        var directory = Directory.CreateTempSubdirectory("vb-audit-seal-").FullName;
        await using var pipeline = new AuditPipeline(new AuditOptions { Directory = directory, FlushIntervalMs = 20, SigningKey = KeyText });
        await pipeline.StartAsync();
        var commit = pipeline.Trail.NextCommit;
        var ended = pipeline.Trail.Open("CAended", AuditFormat.TwilioTransport);
        var live = pipeline.Trail.Open("CAlive", AuditFormat.TwilioTransport);
        for (var i = 0; i < 5; i++)
        {
            ended.Record(AuditDirection.CallerIn, "e", Encoding.UTF8.GetBytes($$"""{"n":{{i}}}"""));
            live.Record(AuditDirection.CallerIn, "e", Encoding.UTF8.GetBytes($$"""{"n":{{i}}}"""));
        }

        ended.Complete("caller_hung_up");
        await ended.Completion.WaitAsync(AuditPipeline.Timeout, Token);
        // The live call's records are durable within the flush interval (the ended call's commit need not include them).
        for (var commits = 0; commits < 100 && (pipeline.Files().Length < 2 || AuditVerifier.VerifyFile(pipeline.FileOf("CAlive"), Keys).Records < 5); commits++)
        {
            await commit.WaitAsync(AuditPipeline.Timeout, Token);
            commit = pipeline.Trail.NextCommit;
        }

        var running = Reports(directory);
        Assert.Equal(AuditFileVerdict.Sealed, running["CAended.jsonl"].Verdict);
        Assert.Equal(AuditFileVerdict.Live, running["CAlive.jsonl"].Verdict);

        await pipeline.StopAsync();
        var stopped = Reports(directory);
        Assert.Equal(AuditFileVerdict.Interrupted, stopped["CAlive.jsonl"].Verdict);
        Assert.DoesNotContain(stopped.Values, r => r.Verdict is AuditFileVerdict.Broken or AuditFileVerdict.Live);

        var file = pipeline.FileOf("CAlive");
        var lines = File.ReadAllLines(file);
        File.WriteAllText(file, string.Join('\n', lines[..^1]) + "\n");
        var cut = Reports(directory)["CAlive.jsonl"];
        Assert.Equal(AuditFileVerdict.Broken, cut.Verdict);
        Assert.Contains("when the process stopped", cut.Detail, StringComparison.Ordinal);
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task EndedCall_WithoutItsCloseRecord_IsBroken()
    {
        var directory = Directory.CreateTempSubdirectory("vb-audit-seal-").FullName;
        await using (var pipeline = new AuditPipeline(new AuditOptions { Directory = directory, FlushIntervalMs = 20, SigningKey = KeyText }))
        {
            await pipeline.StartAsync();
            var call = pipeline.Trail.Open("CAclose", AuditFormat.BrowserTransport);
            call.Record(AuditDirection.CallerIn, "e", """{"n":1}"""u8);
            call.Complete("caller_closed");
            await call.Completion.WaitAsync(AuditPipeline.Timeout, Token);
            await pipeline.StopAsync();
            Assert.Equal(AuditFileVerdict.Sealed, Reports(directory)["CAclose.jsonl"].Verdict);

            var file = pipeline.FileOf("CAclose");
            var lines = File.ReadAllLines(file);
            File.WriteAllText(file, string.Join('\n', lines[..^1]) + "\n");
        }

        var report = Reports(directory)["CAclose.jsonl"];
        Assert.Equal(AuditFileVerdict.Broken, report.Verdict);
        Assert.Contains("no close record", report.Detail, StringComparison.Ordinal);
        Directory.Delete(directory, recursive: true);
    }

    private static Dictionary<string, AuditFileReport> Reports(string directory) =>
        AuditDirectoryVerifier.Verify(directory, Keys, requireSealed: true).ToDictionary(r => Path.GetFileName(r.Path));
}
