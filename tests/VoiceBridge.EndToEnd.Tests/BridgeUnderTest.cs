extern alias cli;

using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using cli::VoiceBridge.Cli.Simulator;
using VoiceBridge.Realtime.Simulator;
using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.EndToEnd.Tests;

/// <summary>
/// The real server on a real loopback port (Kestrel through WebApplicationFactory), its upstream the simulator served
/// over a real WebSocket on another loopback port, and a counter of the upstream sessions the server opened.
/// </summary>
internal sealed class BridgeUnderTest : IAsyncDisposable
{
    public const string AuthToken = "e2e-test-auth-token";

    /// <summary>The admin API key (<c>Audit:AdminKeys</c>) every bridge under test accepts.</summary>
    public const string AdminKey = "e2e-test-admin-key-0123456789abcdef";

    private readonly SimulatorServer _simulator;
    private readonly WebApplicationFactory<Program> _factory;

    private BridgeUnderTest(SimulatorServer simulator, WebApplicationFactory<Program> factory, Uri baseUri, CountingConnector connector)
    {
        _simulator = simulator;
        _factory = factory;
        BaseUri = baseUri;
        Connector = connector;
    }

    public Uri BaseUri { get; }

    public CountingConnector Connector { get; }

    /// <summary>The bridge's upstream: the simulator over real sockets (its direct calls, sidebands and /sim pages too).</summary>
    public SimulatorServer Simulator => _simulator;

    public IServiceProvider Services => _factory.Services;

    /// <summary>An HTTP client for the admin API, with the admin key.</summary>
    public HttpClient AdminClient()
    {
        var client = new HttpClient { BaseAddress = BaseUri };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminKey);
        return client;
    }

    /// <summary>
    /// Starts it. <paramref name="settings"/> are extra configuration keys; <paramref name="certificate"/> makes Kestrel
    /// serve HTTPS (clients that always open wss://, like the openai npm package); <paramref name="route"/> maps the
    /// simulator's URL to the one the bridge is given (a fault proxy in front of it); <paramref name="simulator"/> is a
    /// simulator configured by the test (not started yet).
    /// </summary>
    public static async Task<BridgeUnderTest> StartAsync(
        string audioFormat = "Pcm24k",
        Action<IWebHostBuilder>? configure = null,
        X509Certificate2? certificate = null,
        Func<Uri, Uri>? route = null,
        SimulatorServer? simulator = null,
        params (string Key, string Value)[] settings)
    {
        simulator ??= new SimulatorServer(new SimulatorOptions(), TimeProvider.System);
        await simulator.StartAsync(TestContext.Current.CancellationToken);
        var upstream = route?.Invoke(simulator.Uri) ?? simulator.Uri;
        CountingConnector? counting = null;
#pragma warning disable CA2000 // disposed by DisposeAsync
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
        {
            host.UseSetting("Twilio:AuthToken", AuthToken);
            host.UseSetting("Upstream:Endpoint", upstream.AbsoluteUri);
            host.UseSetting("Upstream:AudioFormat", audioFormat);
            host.UseSetting("urls", "http://127.0.0.1:0");
            host.UseSetting("Audit:AdminKeys:0", AdminKey);
            foreach (var (key, value) in settings)
            {
                host.UseSetting(key, value);
            }

            host.ConfigureTestServices(services =>
            {
                var original = services.Last(d => d.ServiceType == typeof(IRealtimeConnector));
                services.Remove(original);
                services.AddSingleton<IRealtimeConnector>(provider =>
                {
                    var inner = (IRealtimeConnector)original.ImplementationFactory!(provider);
                    counting = new CountingConnector(inner);
                    return counting;
                });
            });
            configure?.Invoke(host);
        });
#pragma warning restore CA2000
        factory.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        }));
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _ = factory.Services.GetRequiredService<IRealtimeConnector>();
        return new BridgeUnderTest(simulator, factory, new Uri(address), counting!);
    }

    public async ValueTask DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _simulator.DisposeAsync();
    }
}
