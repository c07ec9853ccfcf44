using Microsoft.AspNetCore.Mvc.Testing;

namespace VoiceBridge.Server.Tests.Browser;

/// <summary>The session a client token carries is applied for that client, under the same hiding rules.</summary>
public sealed class TokenSessionTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    [Fact]
    public async Task TokenSession_ToolsReachTheUpstream_ButAreHiddenFromTheClient()
    {
        using var app = BrowserApp.Create(factory);

        using var client = await app.StartAsync("""
            {"session":{"type":"realtime","tools":[{"type":"function","name":"lookup_order","description":"Look up an order.","parameters":{"type":"object"}}],
             "audio":{"output":{"voice":"cedar"}}}}
            """);

        Assert.Contains("lookup_order", app.Upstream.Sent.First(), StringComparison.Ordinal);
        Assert.DoesNotContain("lookup_order", client.Created!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("cedar", client.Created!["session"]!["audio"]!["output"]!["voice"]!.GetValue<string>());
    }

    [Fact]
    public async Task TokenSession_At16k_IsResampledWithoutAClientSessionUpdate()
    {
        using var app = BrowserApp.Create(factory);

        using var client = await app.StartAsync("""
            {"session":{"type":"realtime","audio":{"input":{"format":{"type":"audio/pcm","rate":16000}},"output":{"format":{"type":"audio/pcm","rate":16000}}}}}
            """);
        await client.SendAudioAsync(BrowserSignals.Utterance(16000, leadMs: 200, speechMs: 800, trailMs: 800), 16000);
        await client.NextAsync("input_audio_buffer.speech_started");
        var delta = await client.NextAsync("response.output_audio.delta");

        Assert.Equal(16000, client.Created!["session"]!["audio"]!["input"]!["format"]!["rate"]!.GetValue<int>());
        Assert.Contains("\"rate\":24000", app.Upstream.Sent.First(), StringComparison.Ordinal);
        Assert.DoesNotContain(app.Upstream.Sent, sent => sent.Contains("\"rate\":16000", StringComparison.Ordinal));
        Assert.NotEmpty(Convert.FromBase64String(delta["delta"]!.GetValue<string>()));
    }
}
