using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;

namespace VoiceBridge.Server.Tests.Browser;

/// <summary>
/// A frame that two JSON parsers could read differently (a repeated key: one parser takes the first, another the last)
/// must not let a client smuggle an event past the policy: the upstream never receives it, the client gets an error.
/// </summary>
public sealed class ParserDifferentialTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    private const string Smuggled = "SMUGGLED-INSTRUCTIONS";
    private const string SmuggledTool = "smuggled_tool";

    private const string SmuggledUpdate = "\"session\":{\"type\":\"realtime\",\"instructions\":\"" + Smuggled + "\",\"tools\":[{\"type\":\"function\",\"name\":\""
        + SmuggledTool + "\",\"description\":\"x\",\"parameters\":{\"type\":\"object\",\"properties\":{}}}]}";

    public static TheoryData<string> SmugglingFrames => new()
    {
        // Judged by the first type (an allowed, unfiltered event), read by a last-key parser as a session.update.
        "{\"type\":\"conversation.item.retrieve\",\"item_id\":\"item_1\",\"type\":\"session.update\"," + SmuggledUpdate + "}",
        // The same with the second key escaped: the names are equal once unescaped, as every parser compares them.
        "{\"type\":\"conversation.item.retrieve\",\"item_id\":\"item_1\",\"\\u0074ype\":\"session.update\"," + SmuggledUpdate + "}",
        // An allowed session.update whose filtered copy would be clean, with the smuggled fields in a repeated session.
        "{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\"}," + SmuggledUpdate + "}",
        // Repeated deep inside: a response.create whose second metadata hides nothing, but a last-key reader disagrees.
        "{\"type\":\"response.create\",\"response\":{\"metadata\":{\"a\":\"1\"},\"metadata\":{\"a\":\"" + Smuggled + "\"}}}",
    };

    [Theory]
    [MemberData(nameof(SmugglingFrames))]
    public async Task FrameWithARepeatedKey_IsRefused_AndTheUpstreamNeverReceivesWhatItSmuggles(string frame)
    {
        using var app = BrowserApp.Create(factory);
        using var client = await app.StartAsync();
        var before = app.Upstream.Sent.Count;

        await client.SendAsync(frame);
        var error = await client.NextAsync("error");
        await client.SendAsync("""{"type":"input_audio_buffer.clear"}""");
        await client.NextAsync("input_audio_buffer.cleared");

        Assert.Equal("duplicate_key", error["error"]!["code"]!.GetValue<string>());
        Assert.DoesNotContain(app.Upstream.Sent, sent => sent.Contains(Smuggled, StringComparison.Ordinal) || sent.Contains(SmuggledTool, StringComparison.Ordinal));
        Assert.Equal(before + 1, app.Upstream.Sent.Count);
    }

    [Fact]
    public async Task ForwardedControlEvents_AreTheBridgesOwnSerialisation_NotTheClientsBytes()
    {
        using var app = BrowserApp.Create(factory);
        using var client = await app.StartAsync();
        var before = app.Upstream.Sent.Count;

        // Escaped key names, insignificant whitespace: a byte-for-byte relay would pass them on as sent.
        await client.SendAsync("{ \"\\u0074ype\" : \"conversation.item.create\" ,\n \"item\" : { \"type\" : \"message\", \"role\":\"user\", \"content\" : [ { \"type\":\"input_text\", \"text\":\"hello\" } ] } }");
        await client.NextAsync("conversation.item.added");

        var sent = app.Upstream.Sent.Skip(before).Single();
        Assert.StartsWith("{\"type\":\"conversation.item.create\",", sent, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u0074", sent, StringComparison.Ordinal);
        Assert.Equal("hello", JsonNode.Parse(sent)!["item"]!["content"]![0]!["text"]!.GetValue<string>());
    }
}
