using System.Net;
using System.Net.WebSockets;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace VoiceBridge.Cli.Tests.Floor;

/// <summary>
/// A WebSocket server on a loopback port standing in for the floor's upstream: records every whole message it receives
/// (type and bytes, reassembled from fragments), lets the test send messages back, and answers a close with a close.
/// </summary>
internal sealed class CapturingUpstream : IAsyncDisposable
{
    private readonly Channel<(WebSocketMessageType Type, byte[] Bytes)> _received = Channel.CreateUnbounded<(WebSocketMessageType, byte[])>();
    private readonly TaskCompletionSource<WebSocket> _socket = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<(WebSocketCloseStatus? Status, string? Description)> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication? _app;

    public Uri Uri { get; private set; } = null!;

    public Task<WebSocket> Socket => _socket.Task;

    /// <summary>The close the upstream received (status and description), once it has.</summary>
    public Task<(WebSocketCloseStatus? Status, string? Description)> Closed => _closed.Task;

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddRoutingCore();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.UseWebSockets();
        app.Map("/upstream", async context =>
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            _socket.TrySetResult(socket);
            var buffer = new byte[1024];
            var message = new MemoryStream();
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (read.MessageType == WebSocketMessageType.Close)
                {
                    _closed.TrySetResult((socket.CloseStatus, socket.CloseStatusDescription));
                    await socket.CloseOutputAsync(socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, socket.CloseStatusDescription, CancellationToken.None);
                    return;
                }

                message.Write(buffer, 0, read.Count);
                if (read.EndOfMessage)
                {
                    await _received.Writer.WriteAsync((read.MessageType, message.ToArray()));
                    message.SetLength(0);
                }
            }
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        _app = app;
        Uri = new Uri(app.Urls.First().Replace("http://", "ws://", StringComparison.Ordinal) + "/upstream");
    }

    public async Task<(WebSocketMessageType Type, byte[] Bytes)> ReceiveAsync(TimeSpan timeout) =>
        await _received.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(timeout, TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }
    }
}
