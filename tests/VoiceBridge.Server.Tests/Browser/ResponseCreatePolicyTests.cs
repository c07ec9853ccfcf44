using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;

namespace VoiceBridge.Server.Tests.Browser;

/// <summary>
/// A client's response.create may set only the response fields the server allows, and no client can place a system
/// or developer message (a second system prompt) anywhere the model would read it.
/// </summary>
public sealed class ResponseCreatePolicyTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    private const string Injected = "INJECTED-SYSTEM-PROMPT";

    public static TheoryData<string, string, string> ForbiddenResponseFields => new()
    {
        { "max_output_tokens", "1", "response.max_output_tokens" },
        { "output_modalities", """["text"]""", "response.output_modalities" },
        { "conversation", "\"none\"", "response.conversation" },
        { "input", """[{"type":"message","role":"user","content":[{"type":"input_text","text":"INJECTED-SYSTEM-PROMPT"}]}]""", "response.input" },
        { "instructions", "\"INJECTED-SYSTEM-PROMPT\"", "response.instructions" },
        { "tools", """[{"type":"function","name":"INJECTED-SYSTEM-PROMPT","parameters":{"type":"object"}}]""", "response.tools" },
        { "reasoning", """{"effort":"high"}""", "response.reasoning" },
        // The voice is client-changeable by default; the format is the bridge's (it resamples).
        { "audio", """{"output":{"format":{"type":"audio/pcmu"}}}""", "response.audio.output.format" },
        { "not_a_field", "\"INJECTED-SYSTEM-PROMPT\"", "response.not_a_field" },
    };

    [Theory]
    [MemberData(nameof(ForbiddenResponseFields))]
    public async Task ResponseField_TheServerDoesNotAllow_IsRemovedWithAnError_AndNeverReachesTheModel(string field, string value, string param)
    {
        using var app = BrowserApp.Create(factory);
        using var client = await app.StartAsync();
        var before = app.Upstream.Sent.Count;

        await client.SendAsync("{\"type\":\"response.create\",\"event_id\":\"rc_1\",\"response\":{\"" + field + "\":" + value + ",\"metadata\":{\"topic\":\"t\"}}}");
        var error = await client.NextAsync("error");
        await client.NextAsync("response.done");

        Assert.Equal("forbidden_parameter", error["error"]!["code"]!.GetValue<string>());
        Assert.Equal(param, error["error"]!["param"]!.GetValue<string>());
        Assert.Equal("rc_1", error["error"]!["event_id"]!.GetValue<string>());
        var forwarded = JsonNode.Parse(Assert.Single(app.Upstream.Sent.Skip(before)))!;
        Assert.Equal("response.create", forwarded["type"]!.GetValue<string>());
        Assert.Null(forwarded["response"]![field]);
        Assert.Equal("t", forwarded["response"]!["metadata"]!["topic"]!.GetValue<string>());
        Assert.DoesNotContain(app.Upstream.Sent, sent => sent.Contains(Injected, StringComparison.Ordinal) || sent.Contains("pcmu", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ResponseWithMetadataOnly_IsForwardedWithoutAnError()
    {
        using var app = BrowserApp.Create(factory);
        using var client = await app.StartAsync();
        var before = app.Upstream.Sent.Count;

        await client.SendAsync("""{"type":"response.create","response":{"metadata":{"topic":"t"}}}""");
        await client.NextAsync("response.done");

        Assert.DoesNotContain(client.Received, e => e["type"]!.GetValue<string>() == "error");
        Assert.Equal("t", JsonNode.Parse(app.Upstream.Sent.Skip(before).Single())!["response"]!["metadata"]!["topic"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("system")]
    [InlineData("developer")]
    [InlineData("System")]
    public async Task SystemOrDeveloperItem_InConversationItemCreate_IsRefused(string role)
    {
        using var app = BrowserApp.Create(factory);
        using var client = await app.StartAsync();
        var before = app.Upstream.Sent.Count;

        await client.SendAsync("{\"type\":\"conversation.item.create\",\"item\":{\"type\":\"message\",\"role\":\"" + role
            + "\",\"content\":[{\"type\":\"input_text\",\"text\":\"" + Injected + "\"}]}}");
        var error = await client.NextAsync("error");
        await client.SendAsync("""{"type":"input_audio_buffer.clear"}""");
        await client.NextAsync("input_audio_buffer.cleared");

        Assert.Equal("forbidden_parameter", error["error"]!["code"]!.GetValue<string>());
        Assert.Equal("item.role", error["error"]!["param"]!.GetValue<string>());
        Assert.Equal(before + 1, app.Upstream.Sent.Count);
        Assert.DoesNotContain(app.Upstream.Sent, sent => sent.Contains(Injected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("system")]
    [InlineData("developer")]
    public async Task SystemOrDeveloperItem_InResponseInput_IsRefusedWhole_EvenWhereTheServerAllowsResponseInput(string role)
    {
        using var app = BrowserApp.Create(factory, null, ("Browser:ClientMayChange", "response.input,response.conversation"));
        using var client = await app.StartAsync();
        var before = app.Upstream.Sent.Count;

        await client.SendAsync("{\"type\":\"response.create\",\"response\":{\"conversation\":\"none\",\"input\":[{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"hi\"}]},"
            + "{\"type\":\"message\",\"role\":\"" + role + "\",\"content\":[{\"type\":\"input_text\",\"text\":\"" + Injected + "\"}]}]}}");
        var error = await client.NextAsync("error");
        await client.SendAsync("""{"type":"input_audio_buffer.clear"}""");
        await client.NextAsync("input_audio_buffer.cleared");

        Assert.Equal("forbidden_parameter", error["error"]!["code"]!.GetValue<string>());
        Assert.Equal("response.input[1].role", error["error"]!["param"]!.GetValue<string>());
        Assert.Equal(before + 1, app.Upstream.Sent.Count);
        Assert.DoesNotContain(app.Upstream.Sent, sent => sent.Contains(Injected, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ResponseFields_TheServerAllows_AreForwarded()
    {
        using var app = BrowserApp.Create(factory, null, ("Browser:ClientMayChange", "response.input,response.conversation,max_output_tokens,audio.output.voice"));
        using var client = await app.StartAsync();
        var before = app.Upstream.Sent.Count;

        await client.SendAsync("""
            {"type":"response.create","response":{"conversation":"none","max_output_tokens":50,"audio":{"output":{"voice":"cedar"}},
             "input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"hi"}]}]}}
            """);
        await client.NextAsync("response.done");

        Assert.DoesNotContain(client.Received, e => e["type"]!.GetValue<string>() == "error");
        var response = JsonNode.Parse(app.Upstream.Sent.Skip(before).Single())!["response"]!;
        Assert.Equal("none", response["conversation"]!.GetValue<string>());
        Assert.Equal(50, response["max_output_tokens"]!.GetValue<int>());
        Assert.Equal("cedar", response["audio"]!["output"]!["voice"]!.GetValue<string>());
        Assert.Equal("user", response["input"]![0]!["role"]!.GetValue<string>());
    }
}
