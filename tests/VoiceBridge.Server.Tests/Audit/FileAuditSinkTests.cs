using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using VoiceBridge.Realtime.Audit;
using VoiceBridge.Server.Audit;

namespace VoiceBridge.Server.Tests.Audit;

public sealed class FileAuditSinkTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CompletedCall_WritesAVerifiedCompleteFile_WithEveryEventInOrder()
    {
        await using var pipeline = new AuditPipeline();
        await pipeline.StartAsync();
        var call = pipeline.Trail.Open("CA42", AuditFormat.TwilioTransport);

        for (var i = 1; i <= 50; i++)
        {
            Assert.Equal(AuditAppend.Queued, call.Record(AuditDirection.CallerIn, "mark", Encoding.UTF8.GetBytes($$"""{"event":"mark","n":{{i}}}""")));
        }

        var payload = Convert.ToBase64String(new byte[160]);
        call.RecordAudio(AuditDirection.CallerIn, "media", Encoding.UTF8.GetBytes($$$"""{"event":"media","media":{"payload":"{{{payload}}}"}}"""), 8000);
        call.RecordDecision("bridge.barge_in", new BargeIn(1234), AuditTestJsonContext.Default.BargeIn);
        call.Complete("caller_hangup");
        await call.Completion.WaitAsync(AuditPipeline.Timeout, Token);

        var result = pipeline.Verify("CA42");
        Assert.Equal(AuditFileStatus.Complete, result.Status);
        Assert.Equal(53, result.Records);
        var lines = File.ReadAllLines(pipeline.FileOf("CA42"));
        Assert.Equal(Enumerable.Range(1, 50), lines[1..51].Select(l => JsonDocument.Parse(l).RootElement.GetProperty("event").GetProperty("n").GetInt32()));
        Assert.DoesNotContain(payload, lines[51], StringComparison.Ordinal);
        Assert.Contains("\"payload\":{\"bytes\":160,\"offset\":8000,", lines[51], StringComparison.Ordinal);
        Assert.Contains("\"dir\":\"bridge\",\"type\":\"bridge.barge_in\",\"event\":{\"TruncatedAtMs\":1234}", lines[52], StringComparison.Ordinal);
        Assert.Contains("\"end_reason\":\"caller_hangup\"", lines[53], StringComparison.Ordinal);
        Assert.Equal(AuditAppend.Closed, call.Record(AuditDirection.CallerIn, "late", "{}"u8));
    }

    [Fact]
    public async Task LiveCall_IsDurableWithinTheFlushInterval_BeforeItEnds()
    {
        await using var pipeline = new AuditPipeline();
        await pipeline.StartAsync();
        var commit = pipeline.Trail.NextCommit;
        var call = pipeline.Trail.Open("CA1", AuditFormat.TwilioTransport);
        call.Record(AuditDirection.UpstreamIn, "session.updated", """{"type":"session.updated"}"""u8);

        while (pipeline.Files().Length == 0 || pipeline.Verify("CA1") is { Records: < 1 })
        {
            await commit.WaitAsync(AuditPipeline.Timeout, Token);
            commit = pipeline.Trail.NextCommit;
        }

        Assert.Equal(new AuditVerification(AuditFileStatus.Incomplete, 1, "CA1", null, 0), pipeline.Verify("CA1") with { LastHash = "" });
    }

    [Fact]
    public async Task ConcurrentLegs_GetOneGaplessSequence_EachLegInItsOwnOrder()
    {
        await using var pipeline = new AuditPipeline();
        await pipeline.StartAsync();
        var call = pipeline.Trail.Open("CA2", AuditFormat.BrowserTransport);

        await Task.WhenAll(
            Task.Run(() => Leg(call, AuditDirection.CallerIn), Token),
            Task.Run(() => Leg(call, AuditDirection.UpstreamIn), Token));
        call.Complete("done");
        await call.Completion.WaitAsync(AuditPipeline.Timeout, Token);

        Assert.Equal(new AuditVerification(AuditFileStatus.Complete, 2001, "CA2", null, 0), pipeline.Verify("CA2") with { LastHash = "" });
        var records = File.ReadAllLines(pipeline.FileOf("CA2"))[1..^1].Select(l => JsonDocument.Parse(l).RootElement).ToList();
        foreach (var dir in new[] { "caller_in", "upstream_in" })
        {
            Assert.Equal(Enumerable.Range(0, 1000), records.Where(r => r.GetProperty("dir").GetString() == dir).Select(r => r.GetProperty("event").GetProperty("n").GetInt32()));
        }

        static void Leg(CallAudit call, AuditDirection direction)
        {
            for (var i = 0; i < 1000; i++)
            {
                call.Record(direction, "e", Encoding.UTF8.GetBytes($$"""{"n":{{i}}}"""));
            }
        }
    }

    [Fact]
    public async Task FullQueue_HoldsTheBacklog_RefusesNewCalls_ThenWritesEverythingInOrder()
    {
        var options = new AuditOptions { Directory = Directory.CreateTempSubdirectory("vb-audit-").FullName, QueueCapacity = 64, BacklogPerCall = 300, FlushIntervalMs = 20 };
        await using var pipeline = new AuditPipeline(options);
        var health = new AuditHealthCheck(pipeline.Trail);
        var call = pipeline.Trail.Open("CA3", AuditFormat.TwilioTransport);

        // The writer is not running yet: it is "behind" by everything.
        var results = Enumerable.Range(1, 400).Select(i => call.Record(AuditDirection.CallerIn, "e", Encoding.UTF8.GetBytes($$"""{"n":{{i}}}"""))).ToList();

        Assert.Equal(63, results.Count(r => r == AuditAppend.Queued));
        Assert.Equal(300, results.Count(r => r == AuditAppend.Held));
        Assert.Equal(37, results.Count(r => r == AuditAppend.OverBound));
        Assert.Equal(337, pipeline.Trail.HeldRecords);
        Assert.False(pipeline.Trail.IsAcceptingCalls);
        var check = await health.CheckHealthAsync(new HealthCheckContext(), Token);
        Assert.Equal(HealthStatus.Unhealthy, check.Status);
        Assert.Contains("behind", check.Description, StringComparison.Ordinal);

        await pipeline.StartAsync();
        call.Complete("done");
        await call.Completion.WaitAsync(AuditPipeline.Timeout, Token);

        Assert.True(pipeline.Trail.IsAcceptingCalls);
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(new HealthCheckContext(), Token)).Status);
        var lines = File.ReadAllLines(pipeline.FileOf("CA3"));
        Assert.Equal(Enumerable.Range(1, 400), lines[1..^1].Select(l => JsonDocument.Parse(l).RootElement.GetProperty("event").GetProperty("n").GetInt32()));
        Assert.Equal(AuditFileStatus.Complete, pipeline.Verify("CA3").Status);
        Directory.Delete(options.Directory, recursive: true);
    }

    [Fact]
    public async Task DiskFailure_RefusesCalls_KeepsRecording_Retries_AndRecoversWithoutDuplicates()
    {
        var disk = new FailingFileSystem();
        await using var pipeline = new AuditPipeline(fileSystem: disk);
        await pipeline.StartAsync();
        var call = pipeline.Trail.Open("CA4", AuditFormat.TwilioTransport);
        call.Record(AuditDirection.CallerIn, "start", """{"event":"start"}"""u8);
        var firstCommit = pipeline.Trail.NextCommit;
        while (pipeline.Files().Length == 0 || pipeline.Verify("CA4").Records < 1)
        {
            await firstCommit.WaitAsync(AuditPipeline.Timeout, Token);
            firstCommit = pipeline.Trail.NextCommit;
        }

        var failure = pipeline.Trail.NextFailure;
        disk.Failing = true;
        for (var i = 0; i < 20; i++)
        {
            call.Record(AuditDirection.CallerIn, "e", Encoding.UTF8.GetBytes($$"""{"n":{{i}}}"""));
        }

        await disk.FirstFailure.WaitAsync(AuditPipeline.Timeout, Token);
        await failure.WaitAsync(AuditPipeline.Timeout, Token);
        Assert.False(pipeline.Trail.IsAcceptingCalls);
        Assert.Contains("No space left on device", pipeline.Trail.NotAcceptingReason, StringComparison.Ordinal);
        call.Record(AuditDirection.CallerIn, "e", """{"n":20}"""u8);

        disk.Failing = false;
        call.Complete("done");
        await call.Completion.WaitAsync(AuditPipeline.Timeout, Token);

        Assert.True(pipeline.Trail.IsAcceptingCalls);
        Assert.True(pipeline.Trail.WriteFailures >= 1);
        Assert.Equal(AuditFileStatus.Complete, pipeline.Verify("CA4").Status);
        var lines = File.ReadAllLines(pipeline.FileOf("CA4"));
        Assert.Equal(Enumerable.Range(0, 21), lines[2..^1].Select(l => JsonDocument.Parse(l).RootElement.GetProperty("event").GetProperty("n").GetInt32()));
    }

    [Fact]
    public async Task UnwritableDirectory_RefusesCalls_UntilItBecomesWritable()
    {
        // Root ignores permissions, so the directory is made unwritable by putting a regular file where it should be.
        var root = Directory.CreateTempSubdirectory("vb-audit-").FullName;
        var blocker = Path.Combine(root, "blocked");
        await File.WriteAllTextAsync(blocker, "not a directory", Token);
        var options = new AuditOptions { Directory = Path.Combine(blocker, "audit"), FlushIntervalMs = 20 };
        await using (var pipeline = new AuditPipeline(options))
        {
            await pipeline.StartAsync();
            var failure = pipeline.Trail.NextFailure;
            var call = pipeline.Trail.Open("CA5", AuditFormat.TwilioTransport);
            call.Record(AuditDirection.CallerIn, "start", """{"event":"start"}"""u8);
            call.Complete("done");

            await failure.WaitAsync(AuditPipeline.Timeout, Token);

            Assert.False(pipeline.Trail.IsAcceptingCalls);
            Assert.False(call.Completion.IsCompleted);

            File.Delete(blocker);
            await call.Completion.WaitAsync(AuditPipeline.Timeout, Token);

            Assert.True(pipeline.Trail.IsAcceptingCalls);
            Assert.Equal(AuditFileStatus.Complete, pipeline.Verify("CA5").Status);
        }

        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public async Task StopMidCall_LeavesAnIncompleteFileThatVerifies()
    {
        await using var pipeline = new AuditPipeline();
        await pipeline.StartAsync();
        var call = pipeline.Trail.Open("CA6", AuditFormat.TwilioTransport);
        for (var i = 0; i < 10; i++)
        {
            call.Record(AuditDirection.CallerIn, "e", """{"event":"x"}"""u8);
        }

        await pipeline.StopAsync();

        Assert.Equal(new AuditVerification(AuditFileStatus.Incomplete, 10, "CA6", null, 0), pipeline.Verify("CA6") with { LastHash = "" });
    }

    [Fact]
    public async Task CallIds_CannotEscapeTheDirectory_AndARepeatedIdGetsItsOwnFile()
    {
        await using var pipeline = new AuditPipeline();
        await pipeline.StartAsync();
        var calls = new[] { "../../etc/passwd", "../../etc/passwd" }.Select(id => pipeline.Trail.Open(id, AuditFormat.BrowserTransport)).ToList();
        calls.ForEach(c => c.Complete("done"));
        await Task.WhenAll(calls.Select(c => c.Completion)).WaitAsync(AuditPipeline.Timeout, Token);

        var files = pipeline.Files().Select(f => Path.GetRelativePath(pipeline.Options.Directory, f)).Order().ToList();
        var day = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal([Path.Combine(day, "______etc_passwd.2.jsonl"), Path.Combine(day, "______etc_passwd.jsonl")], files);
        Assert.All(pipeline.Files(), f => Assert.Equal(AuditFileStatus.Complete, AuditVerifier.VerifyFile(f).Status));
    }
}
