extern alias cli;

using System.Globalization;
using System.Net;
using cli::VoiceBridge.Cli.Call;
using VoiceBridge.Realtime.Audit;

namespace VoiceBridge.EndToEnd.Tests.Deployment;

/// <summary>
/// What the container does, without a Docker engine: the published server run as an unprivileged user from a
/// root-owned, read-only application directory (its current directory, like the image's WORKDIR /app), writing only to
/// a data directory that user owns (the image's /data volume, <c>Audit__Directory</c> as docker/Dockerfile sets it).
/// Needs root to switch users (CI runs as root); skipped otherwise.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class UnprivilegedServerTests(PublishedServer published) : IClassFixture<PublishedServer>
{
    /// <summary>Half a second of reply (8 kHz μ-law, a byte per sample).</summary>
    private const int MinimumReply = Signals.Rate / 2;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PublishedServer_AsAnUnprivilegedUser_PassesACall_KeepsAVerifiedTrailInItsDataDirectory_AndStaysReady()
    {
        RequireRoot();
        var app = await published.PrepareAsync(Ct);
        var data = published.NewDataDirectory();
        var audit = Path.Combine(data, "audit");
        var appFilesBefore = Directory.GetFileSystemEntries(app, "*", SearchOption.AllDirectories).Length;

        await using var bridge = Launch(app, new Dictionary<string, string?> { ["Audit__Directory"] = audit });
        await bridge.WaitForLineAsync("Application started", TimeSpan.FromSeconds(30));
        Assert.Equal(PublishedServer.Uid, EffectiveUid(bridge.Id));

        using var http = new HttpClient();
        var speech = Signals.ToMuLaw(Signals.Voice(seconds: 1.0, silenceAfterSeconds: 0.5));
        // The caller hangs up once half a second of reply (the length asserted below) has come, or after 20 s: the
        // server is a separate process on a shared machine, and its echo can come seconds late.
        using var call = new FakeTwilioCall(
            new FakeTwilioCallOptions
            {
                ServerUrl = bridge.BaseUri, AuthToken = BridgeUnderTest.AuthToken, CallerAudio = speech, Tail = TimeSpan.FromSeconds(2),
                Observer = new ReplyArrival(MinimumReply, TimeSpan.FromSeconds(20)),
            },
            http);
        var result = await call.RunAsync(Ct).WaitAsync(TimeSpan.FromSeconds(60), Ct);

        Assert.True(result.Outcome == FakeTwilioCallOutcome.Completed, $"{result.Outcome}: {result.Detail}\n{bridge.Output}");
        Assert.True(result.BytesReceived >= MinimumReply, $"the caller heard {result.BytesReceived / 8.0} ms of reply");

        // The trail and the recording are below the data directory, written by the unprivileged user; the trail verifies.
        var trail = Assert.Single(Directory.GetFiles(audit, result.CallSid + ".jsonl", SearchOption.AllDirectories));
        var verification = AuditVerifier.VerifyFile(trail, VoiceBridge.Tests.Shared.TestAuditDirectory.Keys);
        Assert.True(verification.Status == AuditFileStatus.Complete, $"{verification.Status}: {verification.Break}");
        var recording = new FileInfo(Path.ChangeExtension(trail, ".wav"));
        Assert.True(recording.Exists && recording.Length > 44, "no recording beside the trail");
        Assert.Equal(appFilesBefore, Directory.GetFileSystemEntries(app, "*", SearchOption.AllDirectories).Length);
        Assert.DoesNotContain("RecordingNotOpened", bridge.Output, StringComparison.Ordinal);

        // Still ready for the next call: the audit sink is not failing.
        using var ready = await http.GetAsync(new Uri(bridge.BaseUri, "/readyz"), Ct);
        Assert.True(ready.StatusCode == HttpStatusCode.OK, $"/readyz {(int)ready.StatusCode}: {await ready.Content.ReadAsStringAsync(Ct)}");
    }

    [Fact]
    public async Task PublishedServer_WhoseAuditDirectoryItCannotWrite_RefusesToStart_NamingTheKey()
    {
        RequireRoot();
        var app = await published.PrepareAsync(Ct);

        // The image before it had a data directory: Audit:Directory's relative default, inside the read-only /app.
        await using var bridge = Launch(app, new Dictionary<string, string?> { ["Audit__Directory"] = null });
        var exitCode = await bridge.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Audit:Directory", bridge.Output, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(app, "audit"), bridge.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Application started", bridge.Output, StringComparison.Ordinal);
    }

    private static BridgeProcess Launch(string app, Dictionary<string, string?> environment)
    {
        environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        environment["Twilio__AuthToken"] = BridgeUnderTest.AuthToken;
        // The unprivileged user has no home directory, like many service accounts.
        environment["HOME"] = "/nonexistent";
        var uid = PublishedServer.Uid.ToString(CultureInfo.InvariantCulture);
        return BridgeProcess.Launch(environment, new BridgeLaunch
        {
            ServerDirectory = app,
            WorkingDirectory = app,
            RunAs = ["setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "--"],
        });
    }

    private static void RequireRoot()
    {
        if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess)
        {
            Assert.Skip("switching to an unprivileged user needs root on Linux (setpriv); CI runs the tests as root");
        }
    }

    private static int EffectiveUid(int pid)
    {
        // /proc/<pid>/status: "Uid:\treal\teffective\tsaved\tfs".
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        return int.Parse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[2], CultureInfo.InvariantCulture);
    }
}
