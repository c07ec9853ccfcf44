using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using VoiceBridge.Realtime.Transport;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Security;

namespace VoiceBridge.Server.Tests.Sessions;

/// <summary>Through the whole host with the embedded simulator: calls come and go and leave nothing behind.</summary>
[Collection(nameof(PooledBufferAccounting))]
public sealed class HostLeakTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    [Fact]
    public async Task HundredCallsThroughTheHost_LeaveNoLiveCallAndNoPooledBuffer()
    {
        var client = factory.Server.CreateWebSocketClient();
        var tokens = factory.Services.GetRequiredService<CallTokens>();
        var registry = factory.Services.GetRequiredService<CallRegistry>();
        var before = RealtimeMessage.Outstanding;
        var speech = Convert.ToBase64String(Enumerable.Range(0, 160).Select(i => (byte)(i % 2 == 0 ? 0x10 : 0x90)).ToArray());
        var buffer = new byte[64 * 1024];

        for (var i = 0; i < 100; i++)
        {
            var callSid = "CA" + i.ToString("D32", System.Globalization.CultureInfo.InvariantCulture);
            using var socket = await client.ConnectAsync(new Uri("ws://localhost/twilio/media"), TestContext.Current.CancellationToken);
            await SendAsync(socket, "{\"event\":\"start\",\"start\":{\"streamSid\":\"MZ1\",\"callSid\":\"" + callSid
                + "\",\"customParameters\":{\"callToken\":\"" + tokens.Mint(callSid, null) + "\"}},\"streamSid\":\"MZ1\"}");
            for (var frame = 0; frame < 10; frame++)
            {
                await SendAsync(socket, "{\"event\":\"media\",\"streamSid\":\"MZ1\",\"media\":{\"payload\":\"" + speech + "\"}}");
            }

            await SendAsync(socket, "{\"event\":\"stop\",\"streamSid\":\"MZ1\"}");
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            while ((await socket.ReceiveAsync(buffer, timeout.Token)).MessageType != WebSocketMessageType.Close)
            {
            }

            Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
        }

        // The endpoint removes a call from the registry after the session has closed both sockets and returned its
        // buffers; the last one may still be finishing its close handshake.
        await registry.WhenEmpty.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal(before, RealtimeMessage.Outstanding);
    }

    private static Task SendAsync(WebSocket socket, string json) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);
}
