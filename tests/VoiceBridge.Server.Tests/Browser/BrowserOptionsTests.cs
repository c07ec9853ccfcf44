using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Options;

namespace VoiceBridge.Server.Tests.Browser;

/// <summary>The Browser section: bad values stop the boot; ClientMayChange widens what a client may set.</summary>
public sealed class BrowserOptionsTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    [Theory]
    [InlineData("Browser:ClientMayChange", "audio.output.voice,bogus.field", "bogus.field")]
    [InlineData("Browser:TokenLifetimeSeconds", "5", "TokenLifetimeSeconds")]
    [InlineData("Browser:MaxMessageBytes", "100", "MaxMessageBytes")]
    public void BadValue_StopsTheBoot_NamingTheKey(string key, string value, string named)
    {
        using var app = BrowserApp.Create(factory, null, (key, value));

        var error = Assert.ThrowsAny<OptionsValidationException>(() => app.Factory.Server);

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InstructionsListedInClientMayChange_ReachTheUpstream_AndAreShown()
    {
        using var app = BrowserApp.Create(factory, null, ("Browser:ClientMayChange", "instructions"));
        using var client = await app.StartAsync();

        await client.SendAsync("""{"type":"session.update","session":{"type":"realtime","instructions":"Be brief.","audio":{"output":{"voice":"cedar"}}}}""");
        var error = await client.NextAsync("error");
        var updated = await client.NextAsync("session.updated");

        Assert.Equal("Be brief.", updated["session"]!["instructions"]!.GetValue<string>());
        // Voice is not in this deployment's list, so it stays the server's.
        Assert.Equal("session.audio.output.voice", error["error"]!["param"]!.GetValue<string>());
        Assert.Equal("marin", updated["session"]!["audio"]!["output"]!["voice"]!.GetValue<string>());
    }
}
