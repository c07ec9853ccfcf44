using System.Net;
using System.Net.WebSockets;
using System.Xml.Linq;
using Microsoft.Extensions.DependencyInjection;
using VoiceBridge.Server.Admission;
using VoiceBridge.Server.Twilio;

namespace VoiceBridge.Server.Tests.Edge;

/// <summary>Unsigned media upgrades on real Kestrel: refused with 403 before any socket or call slot exists.</summary>
public sealed class UnsignedUpgradeTests
{
    private const string AuthToken = "twilio-auth-token-for-edge-tests";
    private const string PublicBase = "https://bridge.example.com";
    private const int Upgrades = 200;

    private static LoopbackKestrel Start() => LoopbackKestrel.Start(
        ("Twilio:AuthToken", AuthToken),
        ("Twilio:PublicBaseUrl", PublicBase),
        ("Session:MaxConcurrentCalls", "5"),
        // Neither the limiter nor Kestrel's connection cap (default 2 x 5 + 100 = 110 connections, which would refuse some
        // of the 200 at the TCP level) is under test here: let all 200 reach the endpoint.
        ("Session:RateLimit:Burst", "1000"),
        ("Session:Connections:MaxConnections", "1000"));

    private static async Task<(ClientWebSocket Socket, HttpStatusCode? Status)> UpgradeAsync(LoopbackKestrel server, string? signature)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (signature is not null)
        {
            socket.Options.SetRequestHeader("X-Twilio-Signature", signature);
        }

        try
        {
            await socket.ConnectAsync(server.WebSocketUri(TwilioUrls.MediaPath), TestContext.Current.CancellationToken);
            return (socket, socket.HttpStatusCode);
        }
        catch (WebSocketException)
        {
            return (socket, socket.HttpStatusCode);
        }
    }

    [Fact]
    public async Task ManyUnsignedUpgrades_Get403_HoldNoSlot_AndASignedCallStillConnects()
    {
        using var server = Start();
        var admission = server.Services.GetRequiredService<CallAdmission>();

        // Held open together, never answering a close: the attack that used to take every slot.
        var attempts = await Task.WhenAll(Enumerable.Range(0, Upgrades).Select(i => UpgradeAsync(server, i % 2 == 0 ? null : "AAAAjzzXGlLbj2EOhFYIsLte5o4=")));
        try
        {
            Assert.All(attempts, attempt => Assert.Equal(HttpStatusCode.Forbidden, attempt.Status));
            Assert.Equal(0, admission.Active);

            using var client = new HttpClient { BaseAddress = server.Address };
            var form = new List<KeyValuePair<string, string>> { new("CallSid", "CA11111111111111111111111111111111"), new("From", "+15551230000") };
            using var request = new HttpRequestMessage(HttpMethod.Post, TwilioUrls.VoicePath) { Content = new FormUrlEncodedContent(form) };
            request.Headers.Add("X-Twilio-Signature", TwilioSignature.Compute(AuthToken, PublicBase + TwilioUrls.VoicePath, form));
            using var webhook = await client.SendAsync(request, TestContext.Current.CancellationToken);
            var twiml = XDocument.Parse(await webhook.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            Assert.NotNull(twiml.Root!.Element("Connect"));

            var (signed, status) = await UpgradeAsync(server, TwilioSignature.Compute(AuthToken, "wss://bridge.example.com" + TwilioUrls.MediaPath, []));
            using (signed)
            {
                Assert.Equal(HttpStatusCode.SwitchingProtocols, status);
                Assert.Equal(WebSocketState.Open, signed.State);
            }
        }
        finally
        {
            foreach (var (socket, _) in attempts)
            {
                socket.Dispose();
            }
        }
    }
}
