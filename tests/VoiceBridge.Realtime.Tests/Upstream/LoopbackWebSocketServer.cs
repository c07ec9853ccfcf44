using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace VoiceBridge.Realtime.Tests.Upstream;

/// <summary>A real Kestrel on 127.0.0.1:0 whose every request runs the test's handler; records each handshake.</summary>
internal sealed class LoopbackWebSocketServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TaskCompletionSource<RecordedHandshake> _firstRequest = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private LoopbackWebSocketServer(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    /// <summary>http://127.0.0.1:port/ — the client maps http to ws.</summary>
    public Uri BaseUri { get; }

    public ConcurrentQueue<RecordedHandshake> Handshakes { get; } = new();

    /// <summary>Completes when the first request (the handshake) reaches the handler.</summary>
    public Task<RecordedHandshake> FirstRequest => _firstRequest.Task;

    public static async Task<LoopbackWebSocketServer> StartAsync(Func<HttpContext, Task> handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.UseWebSockets();
        LoopbackWebSocketServer? server = null;
        app.Run(async context =>
        {
            var handshake = new RecordedHandshake(
                context.Request.Path + context.Request.QueryString,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase));
            server!.Handshakes.Enqueue(handshake);
            server._firstRequest.TrySetResult(handshake);
            await handler(context);
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server = new LoopbackWebSocketServer(app, new Uri(address + "/"));
        return server;
    }

    /// <summary>Accepts the upgrade, or answers 400 when the request is not one.</summary>
    public static async Task<WebSocket?> AcceptAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return null;
        }

        return await context.WebSockets.AcceptWebSocketAsync();
    }

    /// <summary>One whole message; null when the peer closed (the close is then answered).</summary>
    public static async Task<(WebSocketMessageType Type, byte[] Payload)?> ReadMessageAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        using var payload = new MemoryStream();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                if (socket.State == WebSocketState.CloseReceived)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, string.Empty, cancellationToken);
                }

                return null;
            }

            payload.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return (result.MessageType, payload.ToArray());
            }
        }
    }

    /// <summary>Reads and discards until the peer's close frame, which is answered.</summary>
    public static async Task DrainUntilCloseAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        while (await ReadMessageAsync(socket, cancellationToken) is not null)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}

internal sealed record RecordedHandshake(string PathAndQuery, IReadOnlyDictionary<string, string> Headers);
