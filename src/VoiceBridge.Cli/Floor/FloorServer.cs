using System.Net;
using System.Net.WebSockets;
using System.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using VoiceBridge.Cli.Simulator;

namespace VoiceBridge.Cli.Floor;

/// <summary>
/// The floor: what relaying a Twilio call costs on our stack when nothing is done to it. Kestrel answers the voice
/// webhook with <c>&lt;Connect&gt;&lt;Stream&gt;</c> TwiML like the bridge does, accepts the Media Streams
/// WebSocket, opens a <see cref="ClientWebSocket"/> to the upstream and runs <see cref="FloorRelay"/> between them:
/// no parsing, no transcoding, no audit, no signature or token checks. It is a measuring device, not a bridge: the
/// upstream must speak Twilio's framing (the load tool's simulator at <c>/twilio-media</c> does), and the load tool
/// drives it exactly as it drives the bridge, so every figure of ours has a ratio to this one.
/// </summary>
internal sealed class FloorServer : IAsyncDisposable
{
    public const string VoicePath = "/twilio/voice";
    public const string MediaPath = "/twilio/media";

    private readonly Uri _upstream;
    private readonly IPAddress _address;
    private readonly int _port;
    private WebApplication? _app;

    public FloorServer(Uri upstream, string host = "127.0.0.1", int port = 0)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        _upstream = upstream;
        _address = host == "localhost" ? IPAddress.Loopback
            : IPAddress.TryParse(host, out var parsed) ? parsed
            : throw new ArgumentException($"'{host}' is not an IP address.", nameof(host));
        _port = port;
    }

    /// <summary><c>http://host:port</c> (after <see cref="StartAsync"/>).</summary>
    public Uri BaseUri { get; private set; } = null!;

    public async Task<int> StartAsync(CancellationToken cancellationToken)
    {
        // Empty builder: Kestrel and routing only, nothing read from the environment; no logging, no middleware
        // beyond WebSockets. Kestrel's own defaults otherwise, as the bridge has them.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddRoutingCore();
        builder.Services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(_address, _port));
        var app = builder.Build();
        app.UseWebSockets();
        app.MapPost(VoicePath, AnswerAsync);
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.Map(MediaPath, RelayAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;
        BaseUri = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return BaseUri.Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is null)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _app = null;
    }

    // The stream URL is built from the Host header, as the bridge and Twilio's samples do; plain ws:// because the
    // floor serves no TLS.
    private static Task AnswerAsync(HttpContext context)
    {
        var url = SecurityElement.Escape($"ws://{context.Request.Host}{MediaPath}");
        context.Response.ContentType = "text/xml";
        return context.Response.WriteAsync($"""<?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream url="{url}"/></Connect></Response>""");
    }

    private async Task RelayAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            return;
        }

        using var caller = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        using var upstreamSocket = new ClientWebSocket();
        try
        {
            await upstreamSocket.ConnectAsync(_upstream, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or HttpRequestException or OperationCanceledException)
        {
            await caller.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, "upstream unavailable", CancellationToken.None).ConfigureAwait(false);
            return;
        }

        await FloorRelay.RelayAsync(caller, upstreamSocket, context.RequestAborted).ConfigureAwait(false);
    }
}
