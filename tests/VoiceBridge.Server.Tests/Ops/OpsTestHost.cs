using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using VoiceBridge.Realtime.Transport;
using VoiceBridge.Server.Security;
using VoiceBridge.Server.Tests.Sessions;

namespace VoiceBridge.Server.Tests.Ops;

/// <summary>
/// The real host on real Kestrel (loopback) with an operator key and a viewer key, its upstream a <see cref="ScriptedUpstream"/>
/// the test drives: dashboards connect with the official .NET SignalR client, phone calls over a real WebSocket.
/// </summary>
internal sealed class OpsTestHost : IDisposable
{
    public const string OperatorKey = "ops-operator-key-0123456789abcdef0123";
    public const string ViewerKey = "ops-viewer-key-0123456789abcdef012345";

    private readonly WebApplicationFactory<Program> _factory;
    private readonly string _audit = Directory.CreateTempSubdirectory("voicebridge-ops-").FullName;

    public OpsTestHost(params (string Key, string Value)[] settings)
    {
        Upstream = new ScriptedUpstream();
#pragma warning disable CA2000 // disposed by Dispose
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
        {
            host.UseSetting("urls", "http://127.0.0.1:0");
            host.UseSetting("Audit:Directory", _audit);
            host.UseSetting("Audit:AdminKeys:0", OperatorKey);
            host.UseSetting("Audit:ViewerKeys:0", ViewerKey);
            foreach (var (key, value) in settings)
            {
                host.UseSetting(key, value);
            }

            host.ConfigureServices(services => services.AddSingleton<IRealtimeConnector>(Upstream));
        });
#pragma warning restore CA2000
        _factory.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        _factory.StartServer();
        Address = new Uri(_factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    /// <summary>http://127.0.0.1:port</summary>
    public Uri Address { get; }

    public Uri Hub => new(Address, "/ops/hub");

    public ScriptedUpstream Upstream { get; }

    public IServiceProvider Services => _factory.Services;

    /// <summary>An HTTP client that keeps the cookies it is given.</summary>
    public static HttpClient Browser(CookieContainer cookies, Uri address) =>
        new(new HttpClientHandler { CookieContainer = cookies, UseCookies = true }, disposeHandler: true) { BaseAddress = address };

    /// <summary>Logs in with <paramref name="key"/>; the returned container holds the session cookie.</summary>
    public async Task<CookieContainer> LoginAsync(string key)
    {
        var cookies = new CookieContainer();
        using var http = Browser(cookies, Address);
        using var response = await http.PostAsJsonAsync("/ops/login", new { key }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return cookies;
    }

    /// <summary>A phone call over <c>/twilio/media</c> (Development: unsigned), started with a call token.</summary>
    public async Task<ClientWebSocket> CallAsync(string callSid, string caller = "+14155550100")
    {
        var token = Services.GetRequiredService<CallTokens>().Mint(callSid, caller);
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri("ws://127.0.0.1:" + Address.Port + "/twilio/media"), TestContext.Current.CancellationToken);
        var start = "{\"event\":\"start\",\"start\":{\"streamSid\":\"MZ1\",\"callSid\":\"" + callSid
            + "\",\"customParameters\":{\"callToken\":\"" + token + "\"}},\"streamSid\":\"MZ1\"}";
        await socket.SendAsync(Encoding.UTF8.GetBytes(start), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);
        return socket;
    }

    public void Dispose()
    {
        _factory.Dispose();
        Directory.Delete(_audit, recursive: true);
    }
}
