using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;

namespace VoiceBridge.Server.Tests.Browser;

/// <summary>
/// Browser:DemoPage: on by default in Development only; when on, "/" serves the page and /demo/client_secret mints a
/// token without a bridge key for the page's own origin, which may then connect; when off, neither exists.
/// </summary>
public sealed class DemoPageTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    private const string SameOrigin = "http://localhost";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string?, bool> Cases => new()
    {
        { "Development", null, true },
        { "Production", null, false },
        { "Development", "false", false },
        { "Production", "true", true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task DemoPage_IsServedOnlyWhenEnabled_ByDefaultInDevelopment(string environment, string? configured, bool served)
    {
        using var app = CreateApp(environment, configured);
        using var http = app.Factory.CreateClient();

        using var page = await http.GetAsync(new Uri("/", UriKind.Relative), Ct);
        using var worklet = await http.GetAsync(new Uri("/capture-worklet.js", UriKind.Relative), Ct);
        using var token = await PostDemoTokenAsync(http, SameOrigin);

        var expected = served ? HttpStatusCode.OK : HttpStatusCode.NotFound;
        Assert.Equal(expected, page.StatusCode);
        Assert.Equal(expected, worklet.StatusCode);
        Assert.Equal(expected, token.StatusCode);
        if (served)
        {
            Assert.Contains("VoiceBridge", await page.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task DemoToken_NeedsNoBridgeKey_AndItsOwnOriginConnects_WithoutBeingListed()
    {
        using var app = CreateApp("Development", null);
        using var http = app.Factory.CreateClient();

        using var response = await PostDemoTokenAsync(http, SameOrigin);
        var minted = await response.Content.ReadFromJsonAsync<JsonObject>(Ct);
        var token = minted!["value"]!.GetValue<string>();
        using var client = await app.ConnectAsync(token, viaSubprotocol: true, origin: SameOrigin);
        var created = await client.NextAsync("session.created");

        Assert.StartsWith("ek_", token, StringComparison.Ordinal);
        Assert.Equal("realtime", created["session"]!["type"]!.GetValue<string>());
        // The demo token carries the server's own policy: nothing for a client to widen.
        Assert.Contains(BrowserApp.ServerInstructions, app.Upstream.Sent.First(), StringComparison.Ordinal);
        Assert.DoesNotContain(BrowserApp.ServerInstructions, created.ToJsonString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://evil.example.net", null)]
    [InlineData("null", null)]
    [InlineData(null, "cross-site")]
    [InlineData(SameOrigin, "same-site")]
    public async Task DemoToken_FromAnotherSite_Is403(string? origin, string? fetchSite)
    {
        using var app = CreateApp("Development", null);
        using var http = app.Factory.CreateClient();

        using var response = await PostDemoTokenAsync(http, origin, fetchSite);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task SameOrigin_IsRefused_WhenTheDemoPageIsOff()
    {
        using var app = CreateApp("Development", "false");
        var token = await app.MintAsync();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => app.ConnectAsync(token, viaSubprotocol: true, origin: SameOrigin));

        Assert.Contains("403", error.Message, StringComparison.Ordinal);
        Assert.Empty(app.Upstream.Sent);
    }

    private BrowserApp CreateApp(string environment, string? demoPage)
    {
        // Production refuses to boot without a Twilio auth token (signature checks are only optional in Development).
        var settings = new List<(string, string)> { ("environment", environment), ("Twilio:AuthToken", "test-auth-token") };
        if (demoPage is not null)
        {
            settings.Add(("Browser:DemoPage", demoPage));
        }

        return BrowserApp.Create(factory, null, [.. settings]);
    }

    private static async Task<HttpResponseMessage> PostDemoTokenAsync(HttpClient http, string? origin, string? fetchSite = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/demo/client_secret");
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        if (fetchSite is not null)
        {
            request.Headers.Add("Sec-Fetch-Site", fetchSite);
        }

        return await http.SendAsync(request, Ct);
    }
}
