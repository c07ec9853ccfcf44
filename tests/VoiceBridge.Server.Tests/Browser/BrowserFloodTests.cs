using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Tests.Sessions;

namespace VoiceBridge.Server.Tests.Browser;

/// <summary>
/// What one browser client can make the bridge write: refused input is audited as counted summaries (never its
/// payload), a client that keeps sending refused input is closed with 1008, and every call has an audit budget.
/// </summary>
public sealed class BrowserFloodTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("voicebridge-flood-").FullName;

    [Fact]
    public async Task NonJsonMegabyteFrames_AreOneCountedSummary_AndTheTrailStaysSmall()
    {
        using var app = BrowserApp.Create(factory, null, ("Audit:Directory", _directory), ("Audit:Record", "false"));
        const int Frames = 50;
        var junk = new string('x', (1024 * 1024) - 64);
        using (var client = await app.StartAsync())
        {
            for (var i = 0; i < Frames; i++)
            {
                await client.SendAsync(junk);
            }

            await client.SendAsync("""{"type":"input_audio_buffer.clear"}""");
            await client.NextAsync("input_audio_buffer.cleared");
            await client.Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", TestContext.Current.CancellationToken);
            Assert.Equal(Frames, client.Received.Count(e => e["type"]!.GetValue<string>() == "error"));
        }

        var (path, records) = await TrailAsync(app);

        // 50 MiB came in; what was written is the call's ordinary records, a summary and the error events sent back.
        Assert.InRange(new FileInfo(path).Length, 1, 256 * 1024);
        Assert.DoesNotContain("xxxxxxxx", File.ReadAllText(path), StringComparison.Ordinal);
        var summary = Assert.Single(records, r => TwilioFloodTests.Type(r) == "bridge.drop" && TwilioFloodTests.Reason(r) == "malformed_json");
        Assert.Equal(Frames, summary.GetProperty("event").GetProperty("count").GetInt64());
        Assert.Equal((long)Frames * junk.Length, summary.GetProperty("event").GetProperty("bytes").GetInt64());
        Assert.Equal("caller_closed", TwilioFloodTests.Reason(Assert.Single(records, r => TwilioFloodTests.Type(r) == "bridge.end")));
    }

    [Fact]
    public async Task AppendsOverTheRate_AreOneCountedSummary_NotAuditedOneByOne()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var app = BrowserApp.Create(factory, time, ("Browser:MaxAppendsPerSecond", "5"), ("Audit:Directory", _directory), ("Audit:Record", "false"));
        var silence = new byte[960];
        using (var client = await app.StartAsync())
        {
            for (var i = 0; i < 60; i++)
            {
                await client.SendAppendAsync(silence);
            }

            await client.SendAsync("""{"type":"input_audio_buffer.clear"}""");
            await client.NextAsync("input_audio_buffer.cleared");
            await client.Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", TestContext.Current.CancellationToken);
        }

        var (_, records) = await TrailAsync(app);

        Assert.Equal(5, records.Count(r => r.GetProperty("dir").GetString() == "caller_in" && TwilioFloodTests.Type(r) == "input_audio_buffer.append"));
        var summary = Assert.Single(records, r => TwilioFloodTests.Type(r) == "bridge.drop" && TwilioFloodTests.Reason(r) == "flood");
        Assert.Equal(55, summary.GetProperty("event").GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task ClientThatKeepsSendingRefusedInput_IsClosedWith1008_AndTheEndIsAuditedOnce()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var app = BrowserApp.Create(factory, time, ("Audit:Directory", _directory), ("Audit:Record", "false"));
        WebSocketCloseStatus? status;
        using (var client = await app.StartAsync())
        {
            for (var i = 0; i < 150; i++)
            {
                await client.SendAsync("{not json");
            }

            status = await client.ReadToCloseAsync();
        }

        var (_, records) = await TrailAsync(app);

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, status);
        Assert.Equal("caller_flooding", TwilioFloodTests.Reason(Assert.Single(records, r => TwilioFloodTests.Type(r) == "bridge.end")));
        var refused = records.Where(r => TwilioFloodTests.Type(r) == "bridge.drop").Sum(r => r.GetProperty("event").GetProperty("count").GetInt64());
        Assert.Equal(150, refused);
    }

    [Theory]
    [InlineData("Audit:MaxBytesPerCall")]
    [InlineData("Audit:MaxBytesPerMinute")]
    public async Task AuditBudgetSpent_EndsTheCallWithAuditBudget_AndTheTrailStaysNearTheBudget(string budgetKey)
    {
        const int Budget = 256 * 1024;
        using var app = BrowserApp.Create(factory, null, (budgetKey, Budget.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("Audit:Directory", _directory), ("Audit:Record", "false"));
        // A valid event the bridge forwards (and audits in full, both legs): 16 KiB each.
        var padded = """{"type":"input_audio_buffer.clear","event_id":"evt_""" + new string('p', 16 * 1024) + "\"}";
        WebSocketCloseStatus? status = null;
        using (var client = await app.StartAsync())
        {
            for (var i = 0; i < 100 && status is null; i++)
            {
                await client.SendAsync(padded);
                while (await client.ReceiveAsync() is { } next && next["type"]!.GetValue<string>() != "input_audio_buffer.cleared")
                {
                }

                status = client.CloseStatus;
            }

            Assert.Contains(client.Received, e => e["type"]!.GetValue<string>() == "error" && e["error"]!["code"]!.GetValue<string>() == "audit_budget_exceeded");
        }

        var (path, records) = await TrailAsync(app);

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, status);
        var end = Assert.Single(records, r => TwilioFloodTests.Type(r) == "bridge.end");
        Assert.Equal("audit_budget", TwilioFloodTests.Reason(end));
        Assert.Contains(budgetKey, end.GetProperty("event").GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("audit.close", TwilioFloodTests.Type(records[^1]));
        if (budgetKey == "Audit:MaxBytesPerCall")
        {
            // Checked as records are queued: the call passes its budget by at most the messages in flight.
            Assert.InRange(new FileInfo(path).Length, Budget, 2 * Budget);
        }
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private async Task<(string Path, List<JsonElement> Records)> TrailAsync(BrowserApp app)
    {
        await app.Factory.Services.GetRequiredService<CallRegistry>().WhenEmpty.WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken);
        var path = Directory.GetFiles(_directory, "browser_*.jsonl", SearchOption.AllDirectories).Single();
        return (path, TwilioFloodTests.ReadTrail(path));
    }
}
