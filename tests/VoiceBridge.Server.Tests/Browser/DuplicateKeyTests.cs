using System.Net.WebSockets;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using VoiceBridge.Realtime.Audit;
using VoiceBridge.Server.Core;

namespace VoiceBridge.Server.Tests.Browser;

/// <summary>
/// Client events with a repeated JSON key: refused whole with an error event (the session goes on), never forwarded,
/// and every session's audit trail is completed and its file closed.
/// </summary>
public sealed class DuplicateKeyTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("voicebridge-duplicate-keys-").FullName;

    public static TheoryData<string> DuplicateKeyEvents => new()
    {
        """{"type":"session.update","session":{"type":"realtime","type":"realtime"}}""",
        """{"type":"session.update","session":{"type":"realtime","audio":{"output":{"voice":"marin","voice":"cedar"}}}}""",
        """{"type":"response.create","response":{"metadata":{"k":"1","k":"2"}}}""",
        """{"type":"response.create","response":{},"response":{}}""",
        """{"type":"conversation.item.create","item":{"type":"message","role":"user","role":"user","content":[{"type":"input_text","text":"hi"}]}}""",
        """{"type":"input_audio_buffer.commit","event_id":"a","event_id":"b"}""",
    };

    [Theory]
    [MemberData(nameof(DuplicateKeyEvents))]
    public async Task DuplicateKey_GetsAnErrorEvent_NothingReachesTheUpstream_AndTheSessionGoesOn(string json)
    {
        using var app = BrowserApp.Create(factory);
        using var client = await app.StartAsync();
        var before = app.Upstream.Sent.Count;

        await client.SendAsync(json);
        var error = await client.NextAsync("error");
        await client.SendAsync("""{"type":"input_audio_buffer.clear"}""");
        await client.NextAsync("input_audio_buffer.cleared");

        Assert.Equal("duplicate_key", error["error"]!["code"]!.GetValue<string>());
        Assert.Equal("invalid_request_error", error["error"]!["type"]!.GetValue<string>());
        // Only the clear went up.
        Assert.Equal(before + 1, app.Upstream.Sent.Count);
    }

    [Fact]
    public async Task ManySessionsSendingDuplicateKeys_EachTrailIsCompleteAndVerifies_AndNoAuditFileStaysOpen()
    {
        const int Sessions = 21;
        using var app = BrowserApp.Create(factory, null, ("Audit:Directory", _directory));
        var openBefore = OpenFilesIn(_directory);

        for (var i = 0; i < Sessions; i++)
        {
            using var client = await app.StartAsync();
            await client.SendAsync(i % 2 == 0
                ? """{"type":"session.update","session":{"type":"realtime","instructions":"a","instructions":"b"}}"""
                : """{"type":"response.create","response":{"metadata":{"k":"1","k":"2"}}}""");
            var error = await client.NextAsync("error");
            Assert.Equal("duplicate_key", error["error"]!["code"]!.GetValue<string>());
            await client.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", TestContext.Current.CancellationToken);
            Assert.Equal(WebSocketCloseStatus.NormalClosure, await client.ReadToCloseAsync());
        }

        await app.Factory.Services.GetRequiredService<CallRegistry>().WhenEmpty.WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken);

        var trails = Directory.GetFiles(_directory, "browser_*.jsonl", SearchOption.AllDirectories);
        Assert.Equal(Sessions, trails.Length);
        Assert.All(trails, trail => Assert.Equal(AuditFileStatus.Complete, AuditVerifier.VerifyFile(trail, VoiceBridge.Tests.Shared.TestAuditDirectory.Keys).Status));
        Assert.Equal(openBefore, OpenFilesIn(_directory));
    }

    [Fact]
    public async Task AnUnexpectedFailureInTheSession_EndsItWithAnErrorAndInternalErrorClose_AndStillCompletesTheTrail()
    {
        using var app = BrowserApp.Create(factory, null, inner => new FaultingConnector(inner), ("Audit:Directory", _directory));
        var openBefore = OpenFilesIn(_directory);

        using (var client = await app.StartAsync())
        {
            await client.SendAsync("{\"type\":\"conversation.item.create\",\"item\":{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"" + FaultingConnector.Trigger + "\"}]}}");
            var error = await client.NextAsync("error");
            Assert.Equal("internal_error", error["error"]!["code"]!.GetValue<string>());
            Assert.Equal(WebSocketCloseStatus.InternalServerError, await client.ReadToCloseAsync());
        }

        await app.Factory.Services.GetRequiredService<CallRegistry>().WhenEmpty.WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken);
        var trail = Assert.Single(Directory.GetFiles(_directory, "browser_*.jsonl", SearchOption.AllDirectories));
        Assert.Equal(AuditFileStatus.Complete, AuditVerifier.VerifyFile(trail, VoiceBridge.Tests.Shared.TestAuditDirectory.Keys).Status);
        Assert.Contains("\"internal_error\"", await File.ReadAllTextAsync(trail, TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(openBefore, OpenFilesIn(_directory));
    }

    // Open descriptors of this process that point at call files in the directory (Linux: /proc/self/fd links to the
    // file). The audit index (index/) is one file per process, open for the process's life by design: not counted.
    internal static int OpenFilesIn(string directory)
    {
        var index = Path.Combine(directory, VoiceBridge.Realtime.Audit.AuditFormat.IndexDirectory);
        Assert.SkipUnless(Directory.Exists("/proc/self/fd"), "needs /proc/self/fd (Linux)");
        var count = 0;
        foreach (var fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith(directory, StringComparison.Ordinal)
                    && !target.StartsWith(index, StringComparison.Ordinal))
                {
                    count++;
                }
            }
            catch (IOException)
            {
                // The descriptor closed while we listed them.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return count;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
