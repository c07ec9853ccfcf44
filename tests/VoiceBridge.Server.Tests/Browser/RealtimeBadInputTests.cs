using System.Net.WebSockets;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Time.Testing;

namespace VoiceBridge.Server.Tests.Browser;

/// <summary>Bad client input gets an OpenAI-shaped error event (or a close with a reason) and never reaches the upstream.</summary>
public sealed class RealtimeBadInputTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    public static TheoryData<string, string> BadEvents => new()
    {
        { "{not json", "invalid_json" },
        { "[1,2,3]", "invalid_json" },
        { """{"event_id":"no_type"}""", "invalid_json" },
        { """{"type":"input_audio_buffer.append","audio":"***not base64***"}""", "invalid_value" },
        { """{"type":"input_audio_buffer.append","audio":"AAAA"}""", "invalid_value" },
        { """{"type":"input_audio_buffer.append"}""", "invalid_value" },
        // Escapes that do not unescape to valid UTF-8 (lone surrogates), in the audio and in the event id.
        { """{"type":"input_audio_buffer.append","audio":"AAAA\ud800"}""", "invalid_value" },
        { """{"type":"input_audio_buffer.append","event_id":"\udc00","audio":"***"}""", "invalid_value" },
        { """{"type":"session.update","session":5}""", "invalid_value" },
        { """{"type":"session.update","session":{"type":"realtime","audio":{"input":{"format":{"type":"audio/pcmu"}}}}}""", "unsupported_audio_format" },
    };

    [Theory]
    [MemberData(nameof(BadEvents))]
    public async Task BadEvent_GetsAnErrorEvent_NothingReachesTheUpstream_AndTheSessionGoesOn(string json, string code)
    {
        using var app = BrowserApp.Create(factory);
        using var client = await app.StartAsync();
        var before = app.Upstream.Sent.Count;

        await client.SendAsync(json);
        var error = await client.NextAsync("error");

        Assert.Equal(code, error["error"]!["code"]!.GetValue<string>());
        Assert.Equal("invalid_request_error", error["error"]!["type"]!.GetValue<string>());
        // An unsupported format is removed, the rest of the update still applies: nothing with pcmu goes up.
        Assert.DoesNotContain(app.Upstream.Sent.Skip(before), sent => sent.Contains("pcmu", StringComparison.Ordinal) || sent.Contains("not base64", StringComparison.Ordinal));
        Assert.True(app.Upstream.Sent.Count - before <= (code == "unsupported_audio_format" ? 1 : 0));
        await client.SendAsync("""{"type":"input_audio_buffer.clear"}""");
        await client.NextAsync("input_audio_buffer.cleared");
    }

    [Fact]
    public async Task BinaryFrame_GetsAnErrorEvent_AndIsNotForwarded()
    {
        using var app = BrowserApp.Create(factory);
        using var client = await app.StartAsync();
        var before = app.Upstream.Sent.Count;

        await client.Socket.SendAsync(new byte[480], WebSocketMessageType.Binary, true, TestContext.Current.CancellationToken);
        var error = await client.NextAsync("error");

        Assert.Equal("binary_frames_not_supported", error["error"]!["code"]!.GetValue<string>());
        Assert.Equal(before, app.Upstream.Sent.Count);
    }

    [Fact]
    public async Task OversizedMessage_GetsAnErrorThenTheSocketClosesWithMessageTooBig()
    {
        using var app = BrowserApp.Create(factory, null, ("Browser:MaxMessageBytes", "4096"));
        using var client = await app.StartAsync();
        var before = app.Upstream.Sent.Count;

        await client.SendAppendAsync(new byte[8192]);
        var error = await client.NextAsync("error");
        var status = await client.ReadToCloseAsync();

        Assert.Equal("message_too_large", error["error"]!["code"]!.GetValue<string>());
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, status);
        Assert.Equal(before, app.Upstream.Sent.Count);
    }

    [Fact]
    public async Task AppendsOverTheRateCap_AreDroppedWithOneErrorPerSecond()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var app = BrowserApp.Create(factory, time, ("Browser:MaxAppendsPerSecond", "5"));
        using var client = await app.StartAsync();
        var silence = new byte[960];

        for (var i = 0; i < 8; i++)
        {
            await client.SendAppendAsync(silence);
        }

        await client.SendAsync("""{"type":"input_audio_buffer.clear"}""");
        await client.NextAsync("input_audio_buffer.cleared");
        time.Advance(TimeSpan.FromSeconds(1));
        await client.SendAppendAsync(silence);
        await client.SendAsync("""{"type":"input_audio_buffer.clear"}""");
        await client.NextAsync("input_audio_buffer.cleared");

        var errors = client.Received.Where(e => e["type"]!.GetValue<string>() == "error").ToList();
        Assert.Single(errors);
        Assert.Equal("rate_limit_exceeded", errors[0]["error"]!["code"]!.GetValue<string>());
        Assert.Equal(6, app.Upstream.Sent.Count(sent => sent.Contains("input_audio_buffer.append", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task BadEvents_SentBeforeTheSessionIsSettled_AreRefusedAfterTheGreeting_AndNeverReachTheUpstream()
    {
        using var app = BrowserApp.Create(factory);
        using var client = await app.ConnectAsync(await app.MintAsync());

        // All of it before session.created: the bridge reads none of it until the server policy is confirmed.
        await client.SendAsync("{not json");
        await client.Socket.SendAsync(new byte[480], WebSocketMessageType.Binary, true, TestContext.Current.CancellationToken);
        await client.SendAsync("""{"type":"session.update","event_id":"early_forbidden","session":{"type":"realtime","instructions":"EARLY-CLIENT-INSTRUCTIONS"}}""");
        await client.SendAsync("""{"type":"input_audio_buffer.append","audio":"***not base64***"}""");
        await client.SendAsync("""{"type":"transcription_session.update","event_id":"early_unknown"}""");
        await client.SendAsync("""{"type":"input_audio_buffer.clear"}""");
        var first = await client.ReceiveAsync();
        await client.NextAsync("input_audio_buffer.cleared");

        Assert.Equal("session.created", first!["type"]!.GetValue<string>());
        var codes = client.Received.Where(e => e["type"]!.GetValue<string>() == "error").Select(e => e["error"]!["code"]!.GetValue<string>()).ToList();
        Assert.Equal(["invalid_json", "binary_frames_not_supported", "forbidden_parameter", "invalid_value", "invalid_value"], codes);
        var sent = app.Upstream.Sent.ToArray();
        Assert.Contains(BrowserApp.ServerInstructions, sent[0], StringComparison.Ordinal);
        Assert.DoesNotContain(sent, s => s.Contains("EARLY-CLIENT-INSTRUCTIONS", StringComparison.Ordinal) || s.Contains("not base64", StringComparison.Ordinal)
            || s.Contains("transcription_session", StringComparison.Ordinal) || s.Contains("not json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BadInput_FromOneClient_NeverReachesAnotherClient()
    {
        using var app = BrowserApp.Create(factory, null, ("Browser:MaxMessageBytes", "4096"));
        using var bad = await app.StartAsync();
        using var good = await app.StartAsync();

        await bad.SendAsync("{not json");
        await bad.Socket.SendAsync(new byte[480], WebSocketMessageType.Binary, true, TestContext.Current.CancellationToken);
        await bad.SendAppendAsync(new byte[8192]);
        var badClose = await bad.ReadToCloseAsync();
        await good.SendAsync("""{"type":"input_audio_buffer.clear"}""");
        await good.NextAsync("input_audio_buffer.cleared");

        Assert.Equal(WebSocketCloseStatus.MessageTooBig, badClose);
        Assert.Equal(3, bad.Received.Count(e => e["type"]!.GetValue<string>() == "error"));
        Assert.DoesNotContain(good.Received, e => e["type"]!.GetValue<string>() == "error");
        Assert.Equal(WebSocketState.Open, good.Socket.State);
    }

    [Fact]
    public async Task ClientClose_EndsTheSessionWithANormalCloseHandshake()
    {
        using var app = BrowserApp.Create(factory);
        using var client = await app.StartAsync();

        await client.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", TestContext.Current.CancellationToken);
        var status = await client.ReadToCloseAsync();

        Assert.Equal(WebSocketCloseStatus.NormalClosure, status);
        Assert.Equal("call ended", client.Socket.CloseStatusDescription);
    }
}
