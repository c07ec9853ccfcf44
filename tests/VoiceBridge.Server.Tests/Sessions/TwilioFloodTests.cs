using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Server.Audit;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Tests.Audit;

namespace VoiceBridge.Server.Tests.Sessions;

/// <summary>
/// A Twilio leg that sends far more than Twilio's 50 frames a second: the excess is counted, not audited frame by
/// frame; a caller that keeps at it is closed with 1008; and its <c>stop</c> is still obeyed in the middle of a flood.
/// </summary>
public sealed class TwilioFloodTests
{
    // A 1-byte μ-law payload: the smallest media frame Twilio's format allows.
    private static readonly byte[] s_tiny = [0xFF];

    [Fact]
    public async Task TinyFrameFlood_IsAuditedAsCountedSummaries_AndTheCallerIsClosedWith1008()
    {
        // The clock never moves: every frame falls in one rate window.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var pipeline = new AuditPipeline();
        await pipeline.StartAsync();
        pipeline.Options.Record = false;
        var recorder = new CallRecorder(pipeline.Trail, pipeline.Options, time, NullLogger.Instance, "twilio", "pcm24k");
        CallEndReason reason;
        WebSocketCloseStatus? status;
        const int Frames = 3_000;
        await using (var call = await TwilioCallHarness.StartedAsync(time: time, audit: recorder))
        {
            for (var i = 0; i < Frames; i++)
            {
                await call.SendMediaAsync(s_tiny);
            }

            reason = await call.EndAsync().WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken);
            status = call.Twilio.CloseStatus;
            Assert.Equal(CallerFlood.DefaultMaxRefused + 1, call.Session.Counters[CallDrop.Flood]);
        }

        var records = ReadTrail(pipeline.FileOf(TwilioCallHarness.CallSid));

        Assert.Equal(CallEndReason.CallerFlooding, reason);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, status);
        // 500 frames a second are accepted (each audited in and up); everything else is a few summaries.
        Assert.InRange(records.Count, 1_000, 1_030);
        var flood = Assert.Single(records, r => Type(r) == "bridge.drop" && Reason(r) == "flood");
        Assert.Equal(CallerFlood.DefaultMaxRefused + 1, flood.GetProperty("event").GetProperty("count").GetInt64());
        var afterEnd = Assert.Single(records, r => Type(r) == "bridge.drop" && Reason(r) == "after_end");
        Assert.Equal(Frames - 500 - CallerFlood.DefaultMaxRefused - 1, afterEnd.GetProperty("event").GetProperty("count").GetInt64());
        var end = Assert.Single(records, r => Type(r) == "bridge.end");
        Assert.Equal("caller_flooding", Reason(end));
    }

    [Fact]
    public async Task Stop_SentDuringAFlood_EndsTheCallWithTheCallersStop()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var call = await TwilioCallHarness.StartedAsync(time: time);

        // Past the 500-a-second rate, below the refusals that would close the caller.
        for (var i = 0; i < 550; i++)
        {
            await call.SendMediaAsync(s_tiny);
        }

        await call.SendStopAsync();
        var reason = await call.EndAsync().WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken);

        Assert.Equal(CallEndReason.CallerHungUp, reason);
        Assert.Equal(50, call.Session.Counters[CallDrop.Flood]);
    }

    internal static List<JsonElement> ReadTrail(string path) =>
        [.. File.ReadAllLines(path).Skip(1).Select(line => JsonDocument.Parse(line).RootElement)];

    internal static string? Type(JsonElement record) => record.GetProperty("type").GetString();

    internal static string? Reason(JsonElement record) =>
        record.TryGetProperty("event", out var e) && e.ValueKind == JsonValueKind.Object && e.TryGetProperty("reason", out var r) ? r.GetString() : null;
}
