using System.Net;
using System.Xml.Linq;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using VoiceBridge.Server.Audit;
using VoiceBridge.Server.Admission;
using VoiceBridge.Server.Tests.Browser;

namespace VoiceBridge.Server.Tests.Limits;

/// <summary>A refused call, as each kind of caller sees it: polite TwiML for Twilio, 503 before any upgrade otherwise.</summary>
public sealed class AdmissionEndpointTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    private const string FixtureToken = "00000000000000000000000000000000";
    private const string HandshakeSignature = "7QvsjzzXGlLbj2EOhFYIsLte5o4=";

    private WebApplicationFactory<Program> Twilio(bool auditRefuses = false) => factory.WithWebHostBuilder(host =>
    {
        host.UseSetting("Twilio:AuthToken", FixtureToken);
        host.UseSetting("Twilio:PublicBaseUrl", "https://bridge.example.com");
        host.UseSetting("Session:MaxConcurrentCalls", "1");
        host.UseSetting("Session:BusyMessage", "All lines busy & please retry.");
        if (auditRefuses)
        {
            host.ConfigureTestServices(services => services.AddSingleton<IAuditTrail, RefusingAuditTrail>());
        }
    });

    private static async Task<XDocument> PostWebhookAsync(WebApplicationFactory<Program> app)
    {
        using var doc = TestFixtures.Json("twilio-voice-webhook-request.json");
        var form = doc.RootElement.GetProperty("form").EnumerateObject()
            .Select(p => new KeyValuePair<string, string>(p.Name, p.Value.GetString()!)).ToList();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/twilio/voice") { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Twilio-Signature", doc.RootElement.GetProperty("headers").GetProperty("X-Twilio-Signature").GetString());
        using var client = app.CreateClient();
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return XDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    private static void AssertSaysAndHangsUp(XDocument twiml)
    {
        var root = twiml.Root!;
        Assert.Null(root.Element("Connect"));
        Assert.Equal("All lines busy & please retry.", root.Element("Say")!.Value);
        Assert.NotNull(root.Element("Hangup"));
    }

    [Fact]
    public async Task Webhook_AtCapacity_SaysSorryAndHangsUp()
    {
        using var app = Twilio();
        using var held = app.Services.GetRequiredService<CallAdmission>().TryAdmit("test");
        Assert.NotNull(held);

        AssertSaysAndHangsUp(await PostWebhookAsync(app));
    }

    [Fact]
    public async Task Webhook_UnderTheLimit_ConnectsTheStream()
    {
        using var app = Twilio();

        var twiml = await PostWebhookAsync(app);

        Assert.NotNull(twiml.Root!.Element("Connect"));
    }

    [Fact]
    public async Task Webhook_WhileTheAuditTrailFails_SaysSorryAndHangsUp()
    {
        using var app = Twilio(auditRefuses: true);

        AssertSaysAndHangsUp(await PostWebhookAsync(app));
    }

    [Fact]
    public async Task Webhook_WhileDraining_SaysSorryAndHangsUp()
    {
        using var app = Twilio();
        app.Services.GetRequiredService<CallAdmission>().BeginDrain();

        AssertSaysAndHangsUp(await PostWebhookAsync(app));
    }

    [Fact]
    public async Task MediaStream_AtCapacity_Is503BeforeTheUpgrade()
    {
        using var app = Twilio();
        using var held = app.Services.GetRequiredService<CallAdmission>().TryAdmit("test");
        var client = app.Server.CreateWebSocketClient();
        client.ConfigureRequest = request => request.Headers["X-Twilio-Signature"] = HandshakeSignature;

        var error = await Assert.ThrowsAnyAsync<Exception>(() => client.ConnectAsync(new Uri("ws://localhost/twilio/media"), TestContext.Current.CancellationToken));

        Assert.Contains("503", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BrowserConnect_AtCapacity_Is503AndKeepsTheTokenUsable()
    {
        using var app = BrowserApp.Create(factory, null, ("Session:MaxConcurrentCalls", "1"));
        var token = await app.MintAsync();
        var admission = app.Factory.Services.GetRequiredService<CallAdmission>();
        var held = admission.TryAdmit("test");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => app.ConnectAsync(token));
        Assert.Contains("503", error.Message, StringComparison.Ordinal);
        Assert.Empty(app.Upstream.Sent);

        // Once a slot frees, the same token connects: the refusal did not spend it.
        held!.Dispose();
        using var client = await app.ConnectAsync(token);
        await client.NextAsync("session.created");
    }

    [Fact]
    public async Task Readyz_Is503_WhileDraining()
    {
        using var app = Twilio();
        using var client = app.CreateClient();
        app.Services.GetRequiredService<CallAdmission>().BeginDrain();

        using var response = await client.GetAsync(new Uri("/readyz", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }
}
