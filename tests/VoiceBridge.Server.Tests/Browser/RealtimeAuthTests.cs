using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Time.Testing;

namespace VoiceBridge.Server.Tests.Browser;

/// <summary>GET /v1/realtime refuses before the upgrade: no socket, no upstream.</summary>
public sealed class RealtimeAuthTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    private static async Task AssertRefusedAsync(BrowserApp app, Func<Task> connect, HttpStatusCode status)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(connect);
        Assert.Contains(((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
        Assert.Empty(app.Upstream.Sent);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("ek_garbage")]
    [InlineData("ek_dGFtcGVyZWQ.AAAA")]
    [InlineData("ek_!!!.###")]
    [InlineData("ek_dGVzdA.&&&")]
    public async Task MissingOrBadToken_Is401(string? token)
    {
        using var app = BrowserApp.Create(factory);

        await AssertRefusedAsync(app, () => app.ConnectAsync(token), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task TamperedToken_Is401()
    {
        using var app = BrowserApp.Create(factory);
        var token = await app.MintAsync();
        var tampered = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];

        await AssertRefusedAsync(app, () => app.ConnectAsync(tampered), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task ExpiredToken_Is401()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var app = BrowserApp.Create(factory, time);
        var token = await app.MintAsync("""{"expires_after":{"anchor":"created_at","seconds":60}}""");
        time.Advance(TimeSpan.FromSeconds(61));

        await AssertRefusedAsync(app, () => app.ConnectAsync(token), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task ReusedToken_Is401()
    {
        using var app = BrowserApp.Create(factory);
        var token = await app.MintAsync();
        using (var first = await app.ConnectAsync(token))
        {
            await first.NextAsync("session.created");
        }

        var sentByFirst = app.Upstream.Sent.Count;
        var error = await Assert.ThrowsAnyAsync<Exception>(() => app.ConnectAsync(token));

        Assert.Contains("401", error.Message, StringComparison.Ordinal);
        Assert.Equal(sentByFirst, app.Upstream.Sent.Count);
    }

    [Fact]
    public async Task WrongOrigin_Is403_EvenWithAValidToken()
    {
        using var app = BrowserApp.Create(factory);
        var token = await app.MintAsync();

        await AssertRefusedAsync(app, () => app.ConnectAsync(token, origin: "https://evil.example.net"), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task AllowedOrigin_WithTheTokenInTheSubprotocol_ConnectsAndGetsRealtimeEchoed()
    {
        using var app = BrowserApp.Create(factory);
        var token = await app.MintAsync();

        using var client = await app.ConnectAsync(token, viaSubprotocol: true, origin: BrowserApp.AllowedOrigin);
        var created = await client.NextAsync("session.created");

        Assert.Equal("realtime", client.Socket.SubProtocol);
        Assert.Equal("realtime", created["session"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task PlainHttpGet_Is400()
    {
        using var app = BrowserApp.Create(factory);
        using var http = app.Factory.CreateClient();

        using var response = await http.GetAsync(new Uri("/v1/realtime", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
