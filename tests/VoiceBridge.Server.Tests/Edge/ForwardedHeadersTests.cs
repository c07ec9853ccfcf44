using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Xml.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using VoiceBridge.Server.Hosting;
using VoiceBridge.Server.Twilio;

namespace VoiceBridge.Server.Tests.Edge;

/// <summary>
/// Forwarded headers on real Kestrel, without <c>Twilio:PublicBaseUrl</c>: honoured only from the proxies in
/// <c>ForwardedHeaders:KnownProxies</c>/<c>KnownNetworks</c> (loopback by default). From anyone else they cannot point the
/// TwiML's stream URL at another host.
/// </summary>
public sealed class ForwardedHeadersTests
{
    private const string AuthToken = "twilio-auth-token-for-forwarded-header-tests";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static List<KeyValuePair<string, string>> Form() =>
        [new("CallSid", "CA" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())), new("From", "+15551230000")];

    private static async Task<(HttpStatusCode Status, string Body)> PostWebhookAsync(LoopbackKestrel server, string? signedUrl, params (string Name, string Value)[] headers)
    {
        using var http = new HttpClient { BaseAddress = server.Address };
        var form = Form();
        using var request = new HttpRequestMessage(HttpMethod.Post, TwilioUrls.VoicePath) { Content = new FormUrlEncodedContent(form) };
        if (signedUrl is not null)
        {
            request.Headers.Add("X-Twilio-Signature", TwilioSignature.Compute(AuthToken, signedUrl, form));
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        using var response = await http.SendAsync(request, Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    private static string StreamUrl(string twiml) =>
        XDocument.Parse(twiml).Root!.Element("Connect")!.Element("Stream")!.Attribute("url")!.Value;

    // "": no proxy is trusted at all; 192.0.2.10: a proxy is configured, and this client (127.0.0.1) is not it.
    [Theory]
    [InlineData("", true)]
    [InlineData("192.0.2.10", true)]
    [InlineData("192.0.2.10", false)]
    public async Task ForwardedHost_FromAClientThatIsNotAConfiguredProxy_DoesNotChooseTheStreamUrl(string knownProxies, bool withSignature)
    {
        using var server = LoopbackKestrel.Start(
            ("Twilio:AuthToken", withSignature ? AuthToken : string.Empty),
            ("ForwardedHeaders:KnownProxies", knownProxies));
        var own = "127.0.0.1:" + server.Port.ToString(CultureInfo.InvariantCulture);

        // Signed for the URL this request really went to, as Twilio would sign a webhook to this address.
        var (status, body) = await PostWebhookAsync(
            server,
            withSignature ? "http://" + own + TwilioUrls.VoicePath : null,
            ("X-Forwarded-Proto", "https"),
            ("X-Forwarded-Host", "evil.example"));

        Assert.True(status == HttpStatusCode.OK, $"{(int)status}: {body}");
        Assert.Equal("ws://" + own + TwilioUrls.MediaPath, StreamUrl(body));
    }

    // A TLS-terminating proxy on this machine (nginx, Caddy) with nothing configured (loopback is trusted by default):
    // Twilio signed the public https URL, the proxy forwards it as http://127.0.0.1:port with the public scheme and host
    // in X-Forwarded-Proto/-Host. The webhook's signature and then the stream's (over the wss:// URL in the TwiML) verify.
    [Fact]
    public async Task FromALoopbackProxy_ByDefault_ThePublicUrlIsRebuilt_SoTheWebhookAndTheStreamSignaturesVerify()
    {
        using var server = LoopbackKestrel.Start(("Twilio:AuthToken", AuthToken));
        (string, string)[] forwarded = [("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "bridge.example.com")];

        var (status, body) = await PostWebhookAsync(server, "https://bridge.example.com" + TwilioUrls.VoicePath, forwarded);
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("X-Twilio-Signature", TwilioSignature.Compute(AuthToken, "wss://bridge.example.com" + TwilioUrls.MediaPath, []));
        foreach (var (name, value) in forwarded)
        {
            socket.Options.SetRequestHeader(name, value);
        }

        await socket.ConnectAsync(server.WebSocketUri(TwilioUrls.MediaPath), Ct);

        Assert.True(status == HttpStatusCode.OK, $"{(int)status}: {body}");
        Assert.Equal("wss://bridge.example.com" + TwilioUrls.MediaPath, StreamUrl(body));
        Assert.Equal(HttpStatusCode.SwitchingProtocols, socket.HttpStatusCode);
        socket.Abort();
    }

    [Theory]
    [InlineData("ForwardedHeaders:KnownProxies", "10.0.0.5,proxy.internal", "proxy.internal")]
    [InlineData("ForwardedHeaders:KnownNetworks", "10.0.0.0/8, 172.16.0.0/33", "172.16.0.0/33")]
    public async Task AnEntryThatIsNotAnAddressOrNetwork_StopsTheBoot_NamingTheKeyAndTheEntry(string key, string value, string named)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection([new(key, value)]);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();

        var failure = await ConnectionLimitTests.BootFailsAsync(builder, b => b.AddTrustedProxies());

        Assert.Contains(key, failure.Message, StringComparison.Ordinal);
        Assert.Contains(named, failure.Message, StringComparison.Ordinal);
    }
}
