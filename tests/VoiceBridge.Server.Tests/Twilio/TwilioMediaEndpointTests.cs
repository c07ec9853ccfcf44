using System.Net;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using VoiceBridge.Server.Admission;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Security;

namespace VoiceBridge.Server.Tests.Twilio;

/// <summary>The media WebSocket through the real host: upgrade signature, then the call token, then the relay.</summary>
public sealed class TwilioMediaEndpointTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    // tests/fixtures/twilio-signature-vectors.json, "composed-media-stream-websocket-handshake".
    private const string FixtureToken = "00000000000000000000000000000000";
    private const string HandshakeSignature = "7QvsjzzXGlLbj2EOhFYIsLte5o4=";
    private const string CallSid = "CAfedcba9876543210fedcba9876543210";

    private WebApplicationFactory<Program> Configured() => factory.WithWebHostBuilder(host =>
    {
        host.UseSetting("Twilio:AuthToken", FixtureToken);
        host.UseSetting("Twilio:PublicBaseUrl", "https://bridge.example.com");
    });

    private static async Task<WebSocket> ConnectAsync(WebApplicationFactory<Program> app, string? signature)
    {
        var client = app.Server.CreateWebSocketClient();
        if (signature is not null)
        {
            client.ConfigureRequest = request => request.Headers["X-Twilio-Signature"] = signature;
        }

        return await client.ConnectAsync(new Uri("ws://localhost/twilio/media"), TestContext.Current.CancellationToken);
    }

    private static async Task<WebSocketReceiveResult> ReceiveCloseAsync(WebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return result;
            }
        }
    }

    private static Task SendAsync(WebSocket socket, string json) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("AAAAjzzXGlLbj2EOhFYIsLte5o4=")]
    public async Task UnsignedOrBadlySignedUpgrade_Gets403_BeforeAnySocketOrSlot(string? signature)
    {
        using var app = Configured();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsync(app, signature));

        Assert.Contains("403", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, app.Services.GetRequiredService<CallAdmission>().Active);
        Assert.Equal(0, app.Services.GetRequiredService<CallRegistry>().Count);
    }

    [Fact]
    public async Task SignedUpgrade_WithAValidCallToken_RelaysUntilStop()
    {
        using var app = Configured();
        var token = app.Services.GetRequiredService<CallTokens>().Mint(CallSid, "+14155550100");
        using var socket = await ConnectAsync(app, HandshakeSignature);

        await SendAsync(socket, """{"event":"connected","protocol":"Call","version":"1.0.0"}""");
        await SendAsync(socket, "{\"event\":\"start\",\"sequenceNumber\":\"1\",\"start\":{\"streamSid\":\"MZ1\",\"callSid\":\"" + CallSid
            + "\",\"customParameters\":{\"callToken\":\"" + token + "\"},\"mediaFormat\":{\"encoding\":\"audio/x-mulaw\",\"sampleRate\":8000,\"channels\":1}},\"streamSid\":\"MZ1\"}");
        await SendAsync(socket, "{\"event\":\"media\",\"streamSid\":\"MZ1\",\"media\":{\"payload\":\"" + Convert.ToBase64String(new byte[160]) + "\"}}");
        await SendAsync(socket, "{\"event\":\"stop\",\"streamSid\":\"MZ1\",\"stop\":{\"callSid\":\"" + CallSid + "\"}}");

        var close = await ReceiveCloseAsync(socket);

        Assert.Equal(WebSocketCloseStatus.NormalClosure, close.CloseStatus);
    }

    [Fact]
    public async Task SignedUpgrade_WithATokenForAnotherCall_IsClosedWithPolicyViolation()
    {
        using var app = Configured();
        var token = app.Services.GetRequiredService<CallTokens>().Mint("CA00000000000000000000000000000000", null);
        using var socket = await ConnectAsync(app, HandshakeSignature);

        await SendAsync(socket, "{\"event\":\"start\",\"start\":{\"streamSid\":\"MZ1\",\"callSid\":\"" + CallSid
            + "\",\"customParameters\":{\"callToken\":\"" + token + "\"}},\"streamSid\":\"MZ1\"}");

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, (await ReceiveCloseAsync(socket)).CloseStatus);
    }

    [Fact]
    public async Task PlainHttpRequest_ToTheMediaEndpoint_Gets400()
    {
        using var app = Configured();
        using var client = app.CreateClient();

        using var response = await client.GetAsync(new Uri("/twilio/media", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
