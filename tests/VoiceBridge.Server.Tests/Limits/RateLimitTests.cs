using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;

namespace VoiceBridge.Server.Tests.Limits;

/// <summary>The per-IP token bucket over the call endpoints (Session:RateLimit).</summary>
public sealed class RateLimitTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    private WebApplicationFactory<Program> Limited(bool enabled = true) => factory.WithWebHostBuilder(host =>
    {
        host.UseSetting("Session:RateLimit:Enabled", enabled ? "true" : "false");
        host.UseSetting("Session:RateLimit:Burst", "3");
        // One token a minute: nothing refills while the test runs.
        host.UseSetting("Session:RateLimit:PermitsPerMinute", "1");
    });

    private static async Task<HttpStatusCode> PostWebhookAsync(HttpClient client)
    {
        using var body = new FormUrlEncodedContent([new("CallSid", "CA1")]);
        using var response = await client.PostAsync(new Uri("/twilio/voice", UriKind.Relative), body, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }

    [Fact]
    public async Task Webhook_BeyondTheBurst_Gets429WithRetryAfter()
    {
        using var app = Limited();
        using var client = app.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            Assert.NotEqual(HttpStatusCode.TooManyRequests, await PostWebhookAsync(client));
        }

        using var body = new FormUrlEncodedContent([new("CallSid", "CA1")]);
        using var refused = await client.PostAsync(new Uri("/twilio/voice", UriKind.Relative), body, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
    }

    [Fact]
    public async Task TheBucketIsSharedByTheWebSocketEndpoints()
    {
        using var app = Limited();
        using var client = app.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            await PostWebhookAsync(client);
        }

        // A plain GET on the WebSocket paths is answered 400 by the endpoint when it gets through; 429 when limited.
        using var media = await client.GetAsync(new Uri("/twilio/media", UriKind.Relative), TestContext.Current.CancellationToken);
        using var realtime = await client.GetAsync(new Uri("/v1/realtime", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.TooManyRequests, media.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, realtime.StatusCode);
    }

    [Fact]
    public async Task HealthChecks_AreNeverRateLimited()
    {
        using var app = Limited();
        using var client = app.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            await PostWebhookAsync(client);
        }

        using var health = await client.GetAsync(new Uri("/healthz", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task Disabled_LetsEveryRequestThrough()
    {
        using var app = Limited(enabled: false);
        using var client = app.CreateClient();

        for (var i = 0; i < 6; i++)
        {
            Assert.NotEqual(HttpStatusCode.TooManyRequests, await PostWebhookAsync(client));
        }
    }
}
