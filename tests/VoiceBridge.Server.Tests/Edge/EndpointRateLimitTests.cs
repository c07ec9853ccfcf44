using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;

namespace VoiceBridge.Server.Tests.Edge;

/// <summary>The per-IP limit is attached to the call endpoints themselves: every spelling of a path that reaches one is limited.</summary>
public sealed class EndpointRateLimitTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    private WebApplicationFactory<Program> Limited() => factory.WithWebHostBuilder(host =>
    {
        host.UseSetting("Session:RateLimit:Burst", "3");
        host.UseSetting("Session:RateLimit:PermitsPerMinute", "1");
    });

    [Theory]
    [InlineData("POST", "/twilio/voice/")]
    [InlineData("GET", "/twilio/media/")]
    [InlineData("GET", "/v1/realtime/")]
    [InlineData("POST", "/v1/realtime/client_secrets/")]
    [InlineData("POST", "/TWILIO/VOICE/")]
    public async Task EveryPathFormThatReachesAHandler_IsLimited(string method, string path)
    {
        using var app = Limited();
        using var client = app.CreateClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (method == "POST")
            {
                request.Content = new FormUrlEncodedContent([new("CallSid", "CA1")]);
            }

            using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
            statuses.Add(response.StatusCode);
        }

        Assert.DoesNotContain(HttpStatusCode.NotFound, statuses);
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }
}
