using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Xml.Linq;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using VoiceBridge.Realtime.Transport;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Tests.Calls;
using VoiceBridge.Server.Tests.Sessions;
using VoiceBridge.Server.Twilio;

namespace VoiceBridge.Server.Tests.Twilio;

/// <summary>
/// Issue 14, finding 9: one signed webhook replayed while its call is live, a second media stream for a live CallSid,
/// and two trails for one call id. The real host, its media endpoint and the file audit sink; the upstream is scripted.
/// </summary>
public sealed class ReplayedWebhookTests : IDisposable
{
    private const string AdminKey = "admin-key-for-tests-0123456789abcdef";
    private const string AuthToken = "twilio-auth-token-for-tests";
    private const string CallSid = "CA0123456789abcdef0123456789abcdef";
    private readonly string _auditDirectory = Directory.CreateTempSubdirectory("voicebridge-replay-").FullName;
    private readonly ScriptedUpstream _upstream = new();

    [Fact]
    public async Task SameSignedWebhook_ReplayedWhileTheCallIsLive_GetsHangupAndNoToken()
    {
        using var factory = Host();
        var token = ConnectToken(await PostWebhookAsync(factory));
        using var phone = await PhoneCallClient.ConnectAsync(factory, AuthToken, CallSid, token);
        Assert.Equal("session.update", (await _upstream.NextAsync())["type"]!.GetValue<string>());

        var replays = new List<XDocument> { await PostWebhookAsync(factory), await PostWebhookAsync(factory) };

        foreach (var replay in replays)
        {
            Assert.Null(replay.Root!.Element("Connect"));
            Assert.NotNull(replay.Root.Element("Hangup"));
            Assert.DoesNotContain("callToken", replay.ToString(), StringComparison.Ordinal);
        }

        var registry = factory.Services.GetRequiredService<CallRegistry>();
        Assert.Equal(2, registry.ReplaysRefused);
        Assert.Equal(1, registry.Count);
        Assert.Equal(1, _upstream.Connects);
    }

    [Fact]
    public async Task SecondMediaStream_ForALiveCallSid_IsRefused_AndTheFirstCallGoesOn()
    {
        using var factory = Host();
        using var first = await PhoneCallClient.ConnectAsync(factory, AuthToken, CallSid);
        Assert.Equal("session.update", (await _upstream.NextAsync())["type"]!.GetValue<string>());
        var registry = factory.Services.GetRequiredService<CallRegistry>();
        var live = registry.Find(CallSid);
        Assert.NotNull(live);

        // A fresh, valid token for the same CallSid (as a webhook retried before the first stream started would get).
        using var second = await PhoneCallClient.ConnectAsync(factory, AuthToken, CallSid);

        Assert.Null(await second.ReceiveAsync());
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, second.Socket.CloseStatus);
        Assert.Same(live, registry.Find(CallSid));
        Assert.Equal(1, _upstream.Connects);

        // The first call is untouched: its stop still ends it normally.
        await first.SendAsync("{\"event\":\"stop\",\"streamSid\":\"" + PhoneCallClient.StreamSid + "\",\"stop\":{\"callSid\":\"" + CallSid + "\"}}");
        Assert.Null(await first.ReceiveAsync());
        Assert.Equal(WebSocketCloseStatus.NormalClosure, first.Socket.CloseStatus);
    }

    [Fact]
    public async Task TwoTrailsForOneCallId_BothExist_AndTheAdminApiServesTheFirst()
    {
        using var factory = Host();
        var registry = factory.Services.GetRequiredService<CallRegistry>();
        await RunCallAsync(factory, registry);
        await RunCallAsync(factory, registry);

        var files = Directory.GetFiles(_auditDirectory, CallSid + "*.jsonl", SearchOption.AllDirectories);
        Assert.Equal(2, files.Length);
        string[] trails = [Assert.Single(files, f => f.EndsWith(CallSid + ".jsonl", StringComparison.Ordinal)), Assert.Single(files, f => f.EndsWith(CallSid + ".2.jsonl", StringComparison.Ordinal))];

        using var admin = factory.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        var served = await admin.GetByteArrayAsync(new Uri($"/calls/{CallSid}/audit", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(await File.ReadAllBytesAsync(trails[0], TestContext.Current.CancellationToken), served);
        Assert.NotEqual(await File.ReadAllBytesAsync(trails[1], TestContext.Current.CancellationToken), served);
    }

    public void Dispose() => Directory.Delete(_auditDirectory, recursive: true);

    private async Task RunCallAsync(WebApplicationFactory<Program> factory, CallRegistry registry)
    {
        using var phone = await PhoneCallClient.ConnectAsync(factory, AuthToken, CallSid);
        Assert.Equal("session.update", (await _upstream.NextAsync())["type"]!.GetValue<string>());
        await phone.SendAsync("{\"event\":\"stop\",\"streamSid\":\"" + PhoneCallClient.StreamSid + "\",\"stop\":{\"callSid\":\"" + CallSid + "\"}}");
        Assert.Null(await phone.ReceiveAsync());
        // The trail is completed before the call leaves the registry.
        await registry.WhenEmpty.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
    }

    private WebApplicationFactory<Program> Host() =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
        {
            host.UseSetting("Audit:Directory", _auditDirectory);
            host.UseSetting("Audit:AdminKeys:0", AdminKey);
            host.UseSetting("Twilio:AuthToken", AuthToken);
            host.UseSetting("Twilio:PublicBaseUrl", PhoneCallClient.PublicBaseUrl);
            host.ConfigureServices(services => services.AddSingleton<IRealtimeConnector>(_upstream));
        });

    // The same signed request every time, as a replay sends it.
    private static async Task<XDocument> PostWebhookAsync(WebApplicationFactory<Program> factory)
    {
        KeyValuePair<string, string>[] form =
            [new("AccountSid", "AC0123456789abcdef0123456789abcdef"), new("CallSid", CallSid), new("CallStatus", "ringing"), new("Direction", "inbound"), new("From", "+14155550100"), new("To", "+15005550006")];
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, TwilioUrls.VoicePath) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Twilio-Signature", TwilioSignature.Compute(AuthToken, PhoneCallClient.PublicBaseUrl + TwilioUrls.VoicePath, form));
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return XDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    private static string ConnectToken(XDocument twiml) =>
        twiml.Root!.Element("Connect")!.Element("Stream")!.Element("Parameter")!.Attribute("value")!.Value;
}
