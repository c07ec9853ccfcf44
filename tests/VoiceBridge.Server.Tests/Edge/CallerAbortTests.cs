using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Security;

namespace VoiceBridge.Server.Tests.Edge;

/// <summary>A caller whose TCP connection drops mid-call (no close handshake), on real Kestrel: the trail says so.</summary>
public sealed class CallerAbortTests : IDisposable
{
    private const string CallSid = "CAabcabcabcabcabcabcabcabcabcabc12";
    private readonly string _audit = Directory.CreateTempSubdirectory("voicebridge-abort-").FullName;

    [Fact]
    public async Task APhoneCallerWhoseConnectionDrops_IsRecordedAsACallerAbort_NotAServerShutdown()
    {
        using var server = LoopbackKestrel.Start(("Audit:Directory", _audit));
        var registry = server.Services.GetRequiredService<CallRegistry>();
        var token = server.Services.GetRequiredService<CallTokens>().Mint(CallSid, "+15551230000");
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(server.WebSocketUri("/twilio/media"), TestContext.Current.CancellationToken);
        var start = "{\"event\":\"start\",\"start\":{\"streamSid\":\"MZ1\",\"callSid\":\"" + CallSid
            + "\",\"customParameters\":{\"callToken\":\"" + token + "\"}},\"streamSid\":\"MZ1\"}";
        await socket.SendAsync(Encoding.UTF8.GetBytes(start), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);
        await WaitUntilAsync(() => registry.Find(CallSid) is not null);

        // No close frame: the TCP connection just goes, as when a caller's network drops.
        socket.Abort();
        await registry.WhenEmpty.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        var trail = await File.ReadAllTextAsync(Directory.GetFiles(_audit, CallSid + ".jsonl", SearchOption.AllDirectories).Single(), TestContext.Current.CancellationToken);
        Assert.Contains("\"end_reason\":\"caller_aborted\"", trail, StringComparison.Ordinal);
        Assert.DoesNotContain("server_shutdown", trail, StringComparison.Ordinal);
    }

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        // Polls state the server changes on its own tasks; bounded in time, yielding between looks.
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "condition not met within 20 s");
            await Task.Delay(5, TestContext.Current.CancellationToken);
        }
    }

    public void Dispose() => Directory.Delete(_audit, recursive: true);
}
