using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using VoiceBridge.Realtime.Simulator;
using VoiceBridge.Realtime.Simulator.Calls;

namespace VoiceBridge.Cli.Simulator;

/// <summary>
/// Serves <see cref="SimulatorEngine"/> sessions over a real WebSocket at <c>/v1/realtime</c> with Kestrel, one
/// engine per connection, and at <c>/twilio-media</c> behind Twilio Media Streams framing
/// (<see cref="SimulatorTwilioEndpoint"/>, for <c>voicebridge floor</c>). Used by <c>voicebridge simulator</c>, the
/// load tool and end-to-end tests (in-process; port 0 picks a free port). It installs no console signal handlers: the owner decides when to stop.
/// </summary>
public sealed class SimulatorServer : IAsyncDisposable
{
    public const string Path = "/v1/realtime";

    /// <summary>The simulator behind a Twilio Media Streams socket (what <c>voicebridge floor</c> relays to).</summary>
    public const string TwilioPath = "/twilio-media";

    private readonly SimulatorOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly IPAddress _address;
    private readonly int _port;
    private WebApplication? _app;
    private HttpClient? _http;

    public SimulatorServer(SimulatorOptions options, TimeProvider timeProvider, string host = "127.0.0.1", int port = 0)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(host);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        _options = options;
        _timeProvider = timeProvider;
        _address = host == "localhost" ? IPAddress.Loopback
            : IPAddress.TryParse(host, out var parsed) ? parsed
            : throw new ArgumentException($"'{host}' is not an IP address.", nameof(host));
        _port = port;
    }

    /// <summary>Sees every session's frames (the load tool); set before <see cref="StartAsync"/>.</summary>
    internal SimulatorTap? Tap { get; init; }

    /// <summary>
    /// Where SIP calls placed with <c>POST /sim/sip</c> are announced (the bridge's <c>/openai/webhook</c>); null: no SIP
    /// calls. May be set after <see cref="StartAsync"/> (the bridge's port is known only once it runs).
    /// </summary>
    public Uri? WebhookUrl { get; set; }

    /// <summary>The <c>whsec_</c> secret the webhooks are signed with (the bridge's <c>Upstream:WebhookSecret</c>).</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>The direct calls (WebRTC, SIP) this simulator serves, with their sidebands.</summary>
    public SimulatorCalls Calls { get; private set; } = null!;

    /// <summary><c>http://host:port</c> (after <see cref="StartAsync"/>): the calls resource and the <c>/sim</c> pages are under it.</summary>
    public Uri HttpUri => new($"http://{(_address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{_address}]" : _address.ToString())}:{Port}");

    /// <summary>The bound port (after <see cref="StartAsync"/>).</summary>
    public int Port { get; private set; }

    /// <summary><c>ws://host:port/v1/realtime</c> (after <see cref="StartAsync"/>).</summary>
    public Uri Uri => new($"ws://{Authority}{Path}");

    /// <summary><c>ws://host:port/twilio-media</c> (after <see cref="StartAsync"/>): Twilio Media Streams framing in and out.</summary>
    public Uri TwilioUri => new($"ws://{Authority}{TwilioPath}");

    private string Authority => $"{(_address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{_address}]" : _address.ToString())}:{Port}";

    /// <summary>Binds and starts listening; returns the bound port.</summary>
    public async Task<int> StartAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            throw new InvalidOperationException("Already started.");
        }

        // Empty builder: no appsettings, environment variables or Kestrel config sections from wherever the tool runs
        // can add endpoints or change behaviour; the server is exactly what the arguments say.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddRoutingCore();
        builder.Services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(_address, _port));
        var app = builder.Build();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        Calls = new SimulatorCalls(_options, _timeProvider);
        _http = new HttpClient();
        var http = _http;
        SimulatorWebhooks? Webhooks() => WebhookUrl is { } url && !string.IsNullOrEmpty(WebhookSecret) ? new SimulatorWebhooks(http, url, WebhookSecret, _timeProvider) : null;
        var endpoint = new SimulatorWebSocketEndpoint(_options, _timeProvider, app.Lifetime.ApplicationStopping, Tap, Calls);
        app.Map(Path, endpoint.HandleAsync);
        new SimulatorCallsEndpoints(Calls, Webhooks, _timeProvider).Map(app);
        app.Map(TwilioPath, new SimulatorTwilioEndpoint(_options, _timeProvider, app.Lifetime.ApplicationStopping, Tap).HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Port = new Uri(address).Port;
        return Port;
    }

    /// <summary>Stops accepting, closes open sessions with 1001 (going away), releases the port.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_app is null)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await Calls.DisposeAsync().ConfigureAwait(false);
        await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        _http?.Dispose();
        await _app.DisposeAsync().ConfigureAwait(false);
        _app = null;
    }
}
