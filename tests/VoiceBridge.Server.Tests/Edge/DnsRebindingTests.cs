using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json.Nodes;

namespace VoiceBridge.Server.Tests.Edge;

/// <summary>
/// DNS rebinding against the demo page, on real Kestrel in Development (the demo page's default): a page on a domain
/// that resolves to 127.0.0.1 sends requests whose Host and Origin are both its own name. Only loopback names, or the
/// hosts an operator lists in <c>AllowedHosts</c>, may mint a demo token or open <c>/v1/realtime</c> as the page's origin.
/// </summary>
public sealed class DnsRebindingTests
{
    private const string Rebinding = "rebind.attacker.example:8084";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static LoopbackKestrel Start(params (string Key, string Value)[] settings) =>
        LoopbackKestrel.Start([("environment", "Development"), .. settings]);

    private static async Task<(HttpStatusCode Status, string Body)> PostDemoTokenAsync(LoopbackKestrel server, string host)
    {
        using var http = new HttpClient { BaseAddress = server.Address };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/demo/client_secret");
        request.Headers.Host = host;
        request.Headers.Add("Origin", "http://" + host);
        using var response = await http.SendAsync(request, Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    private static async Task<HttpStatusCode?> UpgradeAsync(LoopbackKestrel server, string host, string token)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("Host", host);
        socket.Options.SetRequestHeader("Origin", "http://" + host);
        socket.Options.AddSubProtocol("realtime");
        socket.Options.AddSubProtocol("openai-insecure-api-key." + token);
        try
        {
            await socket.ConnectAsync(server.WebSocketUri("/v1/realtime?model=gpt-realtime"), Ct);
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, Ct);
        }
        catch (WebSocketException)
        {
            // Refused before the upgrade: the status says how.
        }

        return socket.HttpStatusCode;
    }

    private static string Loopback(LoopbackKestrel server, string name) => name + ":" + server.Port.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task DemoToken_ForARebindingHostAndOrigin_IsRefused_WithoutAToken()
    {
        using var server = Start();

        var (status, body) = await PostDemoTokenAsync(server, Rebinding);

        Assert.True(status is HttpStatusCode.BadRequest or HttpStatusCode.Forbidden, $"{(int)status}: {body}");
        Assert.DoesNotContain("ek_", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RealtimeUpgrade_ForARebindingHostAndOrigin_IsRefused_BeforeTheSocket()
    {
        using var server = Start();
        // A token the page got legitimately (on 127.0.0.1): the rebinding name must still not be let in with it.
        var (minted, body) = await PostDemoTokenAsync(server, Loopback(server, "127.0.0.1"));
        Assert.Equal(HttpStatusCode.OK, minted);
        var token = JsonNode.Parse(body)!["value"]!.GetValue<string>();

        var status = await UpgradeAsync(server, Rebinding, token);

        Assert.True(status is HttpStatusCode.BadRequest or HttpStatusCode.Forbidden, $"upgrade answered {(int?)status}");
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("[::1]")]
    public async Task DemoPage_OnALoopbackName_StillMintsAndConnects(string name)
    {
        using var server = Start();
        var host = Loopback(server, name);

        var (minted, body) = await PostDemoTokenAsync(server, host);
        Assert.True(minted == HttpStatusCode.OK, $"{(int)minted}: {body}");
        var token = JsonNode.Parse(body)!["value"]!.GetValue<string>();
        var status = await UpgradeAsync(server, host, token);

        Assert.StartsWith("ek_", token, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.SwitchingProtocols, status);
    }

    [Fact]
    public async Task AllowedHostsStar_TurnsTheHostFilterOff_ButARebindingOriginIsStillNotTheDemoPagesOwn()
    {
        using var server = Start(("AllowedHosts", "*"));

        var (status, body) = await PostDemoTokenAsync(server, Rebinding);

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.DoesNotContain("ek_", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AHostListedInAllowedHosts_ServesTheDemoPage_AndLoopbackNamesAreThenRefused()
    {
        using var server = Start(("AllowedHosts", "devbox.example"));

        var (listed, body) = await PostDemoTokenAsync(server, "devbox.example:8084");
        var (other, _) = await PostDemoTokenAsync(server, Loopback(server, "localhost"));

        Assert.Equal(HttpStatusCode.OK, listed);
        Assert.StartsWith("ek_", JsonNode.Parse(body)!["value"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, other);
    }

    [Fact]
    public async Task WithTheDemoPageOff_HostsAreNotRestricted()
    {
        using var server = Start(("Browser:DemoPage", "false"));
        using var http = new HttpClient { BaseAddress = server.Address };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        request.Headers.Host = "bridge.example.com";

        using var response = await http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
