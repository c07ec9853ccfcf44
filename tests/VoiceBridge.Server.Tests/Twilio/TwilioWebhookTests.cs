using System.Net;
using System.Text.Json;
using System.Xml.Linq;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using VoiceBridge.Server.Security;

namespace VoiceBridge.Server.Tests.Twilio;

public sealed class TwilioWebhookTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    private const string FixtureToken = "00000000000000000000000000000000";

    private WebApplicationFactory<Program> Configured(string? authToken = FixtureToken, string? publicBaseUrl = "https://bridge.example.com") =>
        factory.WithWebHostBuilder(host =>
        {
            host.UseSetting("Twilio:AuthToken", authToken ?? string.Empty);
            if (publicBaseUrl is not null)
            {
                host.UseSetting("Twilio:PublicBaseUrl", publicBaseUrl);
            }
        });

    private static (FormUrlEncodedContent Body, string Signature) FixtureRequest()
    {
        using var doc = TestFixtures.Json("twilio-voice-webhook-request.json");
        var form = doc.RootElement.GetProperty("form").EnumerateObject()
            .Select(p => new KeyValuePair<string, string>(p.Name, p.Value.GetString()!)).ToList();
        var signature = doc.RootElement.GetProperty("headers").GetProperty("X-Twilio-Signature").GetString()!;
        return (new FormUrlEncodedContent(form), signature);
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, HttpContent body, string? signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/twilio/voice") { Content = body };
        if (signature is not null)
        {
            request.Headers.Add("X-Twilio-Signature", signature);
        }

        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task SignedFixtureWebhook_IsAnsweredWithConnectStreamTwiml()
    {
        using var app = Configured();
        using var client = app.CreateClient();
        var (body, signature) = FixtureRequest();

        using var response = await PostAsync(client, body, signature);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/xml", response.Content.Headers.ContentType?.MediaType);
        var twiml = XDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var stream = twiml.Root!.Element("Connect")!.Element("Stream")!;
        Assert.Equal("Response", twiml.Root.Name.LocalName);
        Assert.Equal("wss://bridge.example.com/twilio/media", stream.Attribute("url")!.Value);
        var parameter = Assert.Single(stream.Elements("Parameter"));
        Assert.Equal("callToken", parameter.Attribute("name")!.Value);

        // The token in the TwiML is the one the media stream must present for this CallSid.
        var tokens = app.Services.GetRequiredService<CallTokens>();
        var check = await tokens.CheckAsync(parameter.Attribute("value")!.Value, "CAfedcba9876543210fedcba9876543210", TestContext.Current.CancellationToken);
        Assert.Equal(CallTokenStatus.Valid, check.Status);
        Assert.Equal("+14155550100", check.Caller);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Eb15E7+dn0+gBvfX1FJJe4wbJhx=")]
    public async Task MissingOrBadSignature_Gets403AndNothingElse(string? signature)
    {
        using var app = Configured();
        using var client = app.CreateClient();
        var (body, _) = FixtureRequest();

        using var response = await PostAsync(client, body, signature);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task TamperedField_Gets403()
    {
        using var app = Configured();
        using var client = app.CreateClient();
        using var doc = TestFixtures.Json("twilio-voice-webhook-request.json");
        var form = doc.RootElement.GetProperty("form").EnumerateObject()
            .Select(p => new KeyValuePair<string, string>(p.Name, p.Name == "From" ? "+19995550100" : p.Value.GetString()!)).ToList();
        var signature = doc.RootElement.GetProperty("headers").GetProperty("X-Twilio-Signature").GetString();

        using var response = await PostAsync(client, new FormUrlEncodedContent(form), signature);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    // Real Kestrel, so the request comes from a real address (127.0.0.1), and that address is configured as the proxy:
    // forwarded headers count only from ForwardedHeaders:KnownProxies (tests/…/Edge/ForwardedHeadersTests.cs has the rest).
    [Fact]
    public async Task WithoutPublicBaseUrl_TheUrlIsRebuiltFromForwardedHeaders()
    {
        using var server = LoopbackKestrel.Start(("Twilio:AuthToken", FixtureToken), ("ForwardedHeaders:KnownProxies", "127.0.0.1"));
        using var client = new HttpClient { BaseAddress = server.Address };
        var (body, signature) = FixtureRequest();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/twilio/voice") { Content = body };
        request.Headers.Add("X-Twilio-Signature", signature);
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "bridge.example.com");

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var twiml = XDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("wss://bridge.example.com/twilio/media", twiml.Root!.Element("Connect")!.Element("Stream")!.Attribute("url")!.Value);
    }

    [Fact]
    public async Task NonFormBody_Gets403()
    {
        using var app = Configured();
        using var client = app.CreateClient();
        using var body = new StringContent(JsonSerializer.Serialize(new { CallSid = "CA1" }), System.Text.Encoding.UTF8, "application/json");

        using var response = await PostAsync(client, body, "anything");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public void OutsideDevelopment_WithoutAuthToken_TheServerRefusesToStart()
    {
        using var app = factory.WithWebHostBuilder(host =>
        {
            host.UseEnvironment("Production");
            host.UseSetting("Twilio:AuthToken", string.Empty);
        });

        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.Contains("Twilio:AuthToken", Flatten(error), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InDevelopment_WithoutAuthToken_ValidationIsSkipped()
    {
        using var app = Configured(authToken: null);
        using var client = app.CreateClient();
        var (body, _) = FixtureRequest();

        using var response = await PostAsync(client, body, signature: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static string Flatten(Exception error)
    {
        var text = new System.Text.StringBuilder();
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            text.AppendLine(e.Message);
        }

        return text.ToString();
    }
}
