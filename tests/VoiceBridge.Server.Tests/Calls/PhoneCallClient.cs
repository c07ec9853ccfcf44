using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using VoiceBridge.Server.Security;
using VoiceBridge.Server.Twilio;

namespace VoiceBridge.Server.Tests.Calls;

/// <summary>Plays Twilio against the real host: a signed media stream upgrade, start with a call token, media, marks, stop.</summary>
internal sealed class PhoneCallClient(WebSocket socket, string callSid) : IDisposable
{
    public const string StreamSid = "MZ00112233445566778899aabbccddeeff";
    public const string PublicBaseUrl = "https://bridge.example.com";

    private readonly byte[] _buffer = new byte[64 * 1024];

    public string CallSid { get; } = callSid;

    public WebSocket Socket { get; } = socket;

    /// <summary>Opens <c>/twilio/media</c> signed like Twilio signs it, and sends start with <paramref name="callToken"/> (minted when null).</summary>
    public static async Task<PhoneCallClient> ConnectAsync(WebApplicationFactory<Program> factory, string authToken, string callSid, string? callToken = null)
    {
        var client = factory.Server.CreateWebSocketClient();
        var signature = TwilioSignature.Compute(authToken, "wss://bridge.example.com/twilio/media", []);
        client.ConfigureRequest = request => request.Headers["X-Twilio-Signature"] = signature;
        var socket = await client.ConnectAsync(new Uri("ws://localhost/twilio/media"), TestContext.Current.CancellationToken);
        var call = new PhoneCallClient(socket, callSid);
        callToken ??= factory.Services.GetRequiredService<CallTokens>().Mint(callSid, "+15551230000");
        await call.SendAsync("{\"event\":\"start\",\"sequenceNumber\":\"1\",\"start\":{\"streamSid\":\"" + StreamSid + "\",\"callSid\":\"" + callSid
            + "\",\"customParameters\":{\"callToken\":\"" + callToken + "\"}},\"streamSid\":\"" + StreamSid + "\"}");
        return call;
    }

    public Task SendMediaAsync(byte[] mulaw) => SendAsync(
        "{\"event\":\"media\",\"media\":{\"track\":\"inbound\",\"chunk\":\"1\",\"timestamp\":\"0\",\"payload\":\"" + Convert.ToBase64String(mulaw) + "\"},\"streamSid\":\"" + StreamSid + "\"}");

    public async Task SendAsync(string json) =>
        await Socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);

    /// <summary>The next message from the bridge, or null once it closed the stream (the close is answered).</summary>
    public async Task<JsonNode?> ReceiveAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var length = 0;
        while (true)
        {
            var result = await Socket.ReceiveAsync(_buffer.AsMemory(length), timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                await Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
                return null;
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                return JsonNode.Parse(Encoding.UTF8.GetString(_buffer, 0, length));
            }
        }
    }

    public void Dispose() => Socket.Dispose();
}
