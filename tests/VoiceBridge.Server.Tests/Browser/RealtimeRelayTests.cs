using Microsoft.AspNetCore.Mvc.Testing;

namespace VoiceBridge.Server.Tests.Browser;

/// <summary>A client speaking the GA protocol through the bridge to the embedded simulator.</summary>
public sealed class RealtimeRelayTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    private static string SessionUpdate(int rate, string eventId = "client_1") =>
        "{\"type\":\"session.update\",\"event_id\":\"" + eventId + "\",\"session\":{\"type\":\"realtime\",\"audio\":{\"input\":{\"format\":{\"type\":\"audio/pcm\",\"rate\":" + rate
        + "}},\"output\":{\"format\":{\"type\":\"audio/pcm\",\"rate\":" + rate + "}}}}}";

    private static async Task<byte[]> SpeakAndCollectReplyAsync(RealtimeTestClient client, int rate)
    {
        await client.SendAudioAsync(BrowserSignals.Utterance(rate, leadMs: 200, speechMs: 1000, trailMs: 800), rate);
        await client.NextAsync("input_audio_buffer.speech_started");
        using var reply = new MemoryStream();
        while (true)
        {
            var next = await client.ReceiveAsync() ?? throw new InvalidOperationException("closed before response.done");
            var type = next["type"]!.GetValue<string>();
            if (type == "response.output_audio.delta")
            {
                reply.Write(Convert.FromBase64String(next["delta"]!.GetValue<string>()));
            }
            else if (type == "response.done")
            {
                return reply.ToArray();
            }
        }
    }

    [Fact]
    public async Task Speech_At24k_GetsSpeechStartedAudioAndResponseDone()
    {
        using var app = BrowserApp.Create(factory);
        using var client = await app.StartAsync();

        await client.SendAsync(SessionUpdate(24000));
        await client.NextAsync("session.updated");
        var reply = await SpeakAndCollectReplyAsync(client, 24000);

        Assert.NotEmpty(reply);
        Assert.Contains(client.Received, e => e["type"]!.GetValue<string>() == "input_audio_buffer.speech_stopped");
        Assert.Equal("completed", client.Received[^1]["response"]!["status"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(16000)]
    [InlineData(48000)]
    public async Task Client_AtAnotherPcmRate_IsResampledBothWays(int rate)
    {
        using var app = BrowserApp.Create(factory);
        using var client = await app.StartAsync();

        await client.SendAsync(SessionUpdate(rate));
        var updated = await client.NextAsync("session.updated");
        var reply = await SpeakAndCollectReplyAsync(client, rate);

        // The client is shown its own rate; the upstream only ever hears 24 kHz.
        Assert.Equal(rate, updated["session"]!["audio"]!["input"]!["format"]!["rate"]!.GetValue<int>());
        Assert.Equal(rate, updated["session"]!["audio"]!["output"]!["format"]!["rate"]!.GetValue<int>());
        Assert.DoesNotContain(app.Upstream.Sent, sent => sent.Contains("\"rate\":" + rate, StringComparison.Ordinal));
        // Played at the client's rate, the echo has the caller's pitch: a missing or wrong resampler moves 200 Hz
        // to 100, 133, 300 or 400 Hz.
        var seconds = reply.Length / 2.0 / rate;
        var fundamental = BrowserSignals.Power(reply, rate, BrowserSignals.Fundamental);
        var wrongPitch = new[] { 100.0, 133.3, 300.0 }.Max(f => BrowserSignals.Power(reply, rate, f));
        Figures.Report("browser", $"browser: {rate} Hz client: reply {seconds:F2} s, 200 Hz vs worst wrong pitch power ratio {fundamental / wrongPitch:F0}");
        Assert.InRange(seconds, 0.5, 2.5);
        Assert.True(fundamental > 20 * wrongPitch, $"200 Hz power {fundamental} vs {wrongPitch}");
    }

    [Fact]
    public async Task ForbiddenSessionFields_AreRemovedWithAnErrorEvent_AndNeverReachTheUpstream()
    {
        using var app = BrowserApp.Create(factory);
        using var client = await app.StartAsync();

        await client.SendAsync("""
            {"type":"session.update","event_id":"client_evil","session":{"type":"realtime","instructions":"CLIENT-INJECTED",
             "tools":[{"type":"function","name":"wire_money","parameters":{"type":"object"}}],"audio":{"output":{"voice":"cedar"}}}}
            """);
        var error = await client.NextAsync("error");
        var updated = await client.NextAsync("session.updated");

        Assert.Equal("invalid_request_error", error["error"]!["type"]!.GetValue<string>());
        Assert.Equal("forbidden_parameter", error["error"]!["code"]!.GetValue<string>());
        Assert.Equal("client_evil", error["error"]!["event_id"]!.GetValue<string>());
        var errors = client.Received.Where(e => e["type"]!.GetValue<string>() == "error").Select(e => e["error"]!["param"]!.GetValue<string>()).ToList();
        Assert.Equal(["session.instructions", "session.tools"], errors);
        // The allowed field went through; what the upstream echoes back has neither forbidden field.
        Assert.Equal("cedar", updated["session"]!["audio"]!["output"]!["voice"]!.GetValue<string>());
        Assert.DoesNotContain(app.Upstream.Sent, sent => sent.Contains("CLIENT-INJECTED", StringComparison.Ordinal) || sent.Contains("wire_money", StringComparison.Ordinal));
        Assert.Contains(app.Upstream.Sent, sent => sent.Contains(BrowserApp.ServerInstructions, StringComparison.Ordinal));
        Assert.DoesNotContain(BrowserApp.ServerInstructions, updated.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain(BrowserApp.ServerInstructions, client.Created!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResponseCreate_InstructionOverride_IsRemoved()
    {
        using var app = BrowserApp.Create(factory);
        using var client = await app.StartAsync();

        await client.SendAsync("""{"type":"response.create","event_id":"client_r","response":{"instructions":"CLIENT-INJECTED"}}""");
        var error = await client.NextAsync("error");
        await client.NextAsync("response.done");

        Assert.Equal("response.instructions", error["error"]!["param"]!.GetValue<string>());
        Assert.DoesNotContain(app.Upstream.Sent, sent => sent.Contains("CLIENT-INJECTED", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("output_audio_buffer.clear")]
    [InlineData("session.created")]
    [InlineData("transcription_session.update")]
    public async Task EventTypesOutsideTheAllowList_GetAnErrorEvent_AndAreNotForwarded(string type)
    {
        using var app = BrowserApp.Create(factory);
        using var client = await app.StartAsync();
        var before = app.Upstream.Sent.Count;

        await client.SendAsync("{\"type\":\"" + type + "\",\"event_id\":\"client_x\"}");
        var error = await client.NextAsync("error");

        Assert.Equal("invalid_value", error["error"]!["code"]!.GetValue<string>());
        Assert.Equal("type", error["error"]!["param"]!.GetValue<string>());
        Assert.Equal(before, app.Upstream.Sent.Count);
    }

    [Fact]
    public async Task EventsSentBeforeTheSessionIsSettled_FollowTheServerPolicy()
    {
        using var app = BrowserApp.Create(factory);
        using var client = await app.ConnectAsync(await app.MintAsync());

        // A client that does not wait for session.created (what SDKs do): its events queue behind the server policy.
        await client.SendAsync(SessionUpdate(24000, "client_early"));
        await client.SendAsync("""{"type":"input_audio_buffer.clear","event_id":"client_clear"}""");
        var first = await client.ReceiveAsync();
        await client.NextAsync("input_audio_buffer.cleared");

        Assert.Equal("session.created", first!["type"]!.GetValue<string>());
        var sent = app.Upstream.Sent.ToArray();
        Assert.Contains(BrowserApp.ServerInstructions, sent[0], StringComparison.Ordinal);
        Assert.Contains("client_early", sent[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task SessionUpdate_RepeatingTheServerModel_IsAccepted_AnotherModelIsForbidden()
    {
        using var app = BrowserApp.Create(factory);
        using var client = await app.StartAsync();

        await client.SendAsync("""{"type":"session.update","session":{"type":"realtime","model":"gpt-realtime"}}""");
        await client.NextAsync("session.updated");
        await client.SendAsync("""{"type":"session.update","event_id":"client_m","session":{"type":"realtime","model":"gpt-4o-realtime-preview"}}""");
        var error = await client.NextAsync("error");
        await client.NextAsync("session.updated");

        Assert.Single(client.Received, e => e["type"]!.GetValue<string>() == "error");
        Assert.Equal("session.model", error["error"]!["param"]!.GetValue<string>());
        Assert.DoesNotContain(app.Upstream.Sent, sent => sent.Contains("\"model\"", StringComparison.Ordinal));
    }
}
