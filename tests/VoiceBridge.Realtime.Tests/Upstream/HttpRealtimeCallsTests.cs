using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using VoiceBridge.Cli.Simulator;
using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Realtime.Simulator;
using VoiceBridge.Realtime.Simulator.Calls;
using VoiceBridge.Realtime.Transport;
using VoiceBridge.Realtime.Upstream;

namespace VoiceBridge.Realtime.Tests.Upstream;

/// <summary>
/// The calls resource client over real HTTP against the simulator served by <c>voicebridge simulator</c>: both ways of
/// posting an offer (multipart with the server's key; a minted key with the raw offer, as some Azure resources want),
/// the call id from <c>Location</c>, control, and the sideband by call id (404 once the call is over).
/// </summary>
public sealed class HttpRealtimeCallsTests
{
    private const string Offer = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n";
    private const string Session = """{"type":"realtime","model":"gpt-realtime","instructions":"SERVER POLICY"}""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(RealtimeCallsAuth.ApiKey)]
    [InlineData(RealtimeCallsAuth.EphemeralKey)]
    public async Task AnOffer_CreatesTheCallWithTheServersSession_AndItsIdComesFromLocation(RealtimeCallsAuth auth)
    {
        await using var server = new SimulatorServer(new SimulatorOptions { Pacing = SimulatorPacing.Fast }, TimeProvider.System);
        await server.StartAsync(Ct);
        using var http = new HttpClient();
        var calls = Client(http, server, auth);

        var created = await calls.CreateAsync(Offer, Session, Ct);

        Assert.True(created.Succeeded, created.Description);
        Assert.Equal(201, created.HttpStatus);
        Assert.Equal(SimulatorCalls.PlaceholderAnswer, created.AnswerSdp);
        var call = server.Calls.Find(created.CallId!);
        Assert.NotNull(call);
        Assert.Equal(SimulatorCallState.Live, call.State);
        // The session reached the model either way: in the multipart's session part, or fixed in the minted key.
        Assert.Contains("SERVER POLICY", call.Session, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheSideband_ReachesTheCall_AndAfterTheHangupIsRefusedWith404()
    {
        await using var server = new SimulatorServer(new SimulatorOptions { Pacing = SimulatorPacing.Fast }, TimeProvider.System);
        await server.StartAsync(Ct);
        using var http = new HttpClient();
        var calls = Client(http, server, RealtimeCallsAuth.ApiKey);
        var created = await calls.CreateAsync(Offer, Session, Ct);
        Assert.True(created.Succeeded, created.Description);

        var attached = await calls.Sideband(created.CallId!).ConnectAsync(Ct);
        Assert.True(attached.IsConnected, attached.Failure?.Description);
        await using (var sideband = attached.Connection!)
        {
            Assert.True(await sideband.SendAsync(RealtimeMessage.Copy(Encoding.UTF8.GetBytes("""{"type":"session.update","session":{"type":"realtime","instructions":"FROM THE SIDEBAND"}}"""), RealtimeMessageKind.Control), Ct));
            // No session.created on a sideband. The answer to our update comes within the first few events (the call's
            // own accept may still be confirming the session it was created with when the sideband attaches).
            var answered = false;
            for (var i = 0; i < 5 && !answered; i++)
            {
                using var next = await ReceiveAsync(sideband);
                Assert.True(RealtimeEventPeek.TryPeek(next.Span, out var type));
                Assert.NotEqual(RealtimeEventType.SessionCreated, type);
                answered = type == RealtimeEventType.SessionUpdated && Encoding.UTF8.GetString(next.Span).Contains("FROM THE SIDEBAND", StringComparison.Ordinal);
            }

            Assert.True(answered, "the sideband's session.update was answered with the updated session");

            var hungUp = await calls.HangupAsync(created.CallId!, Ct);
            Assert.True(hungUp.Succeeded, hungUp.Description);
            Assert.Equal("hung up by the server", await server.Calls.Find(created.CallId!)!.Ended.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        }

        var again = await calls.Sideband(created.CallId!).ConnectAsync(Ct);
        Assert.False(again.IsConnected);
        Assert.Equal(404, again.Failure!.HttpStatus);
    }

    [Fact]
    public async Task ASipCall_IsAcceptedWithTheSession_OrRejectedWithTheStatusGiven()
    {
        await using var server = new SimulatorServer(new SimulatorOptions { Pacing = SimulatorPacing.Fast }, TimeProvider.System);
        await server.StartAsync(Ct);
        using var http = new HttpClient();
        var calls = Client(http, server, RealtimeCallsAuth.ApiKey);
        var accepted = server.Calls.Incoming([new("From", "<sip:+15551230000@example.com>")]);
        var rejected = server.Calls.Incoming([]);

        var accept = await calls.AcceptAsync(accepted.Id, Session, Ct);
        var reject = await calls.RejectAsync(rejected.Id, 486, Ct);
        var unknown = await calls.HangupAsync("rtc_nobody", Ct);

        Assert.True(accept.Succeeded, accept.Description);
        Assert.Equal(SimulatorCallState.Live, accepted.State);
        Assert.Contains("SERVER POLICY", accepted.Session, StringComparison.Ordinal);
        Assert.True(reject.Succeeded, reject.Description);
        Assert.Equal("rejected with SIP 486", await rejected.Ended.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        Assert.False(unknown.Succeeded);
        Assert.Equal(404, unknown.HttpStatus);
    }

    private static HttpRealtimeCalls Client(HttpClient http, SimulatorServer server, RealtimeCallsAuth auth) =>
        new(http, new UpstreamSettings { Provider = UpstreamProvider.Simulator, Endpoint = server.Uri, ApiKey = "server-key", CallsAuth = auth }, TimeProvider.System, NullLoggerFactory.Instance);

    private static async Task<RealtimeMessage> ReceiveAsync(IRealtimeConnection connection)
    {
        var result = await connection.ReceiveAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.False(result.IsEnd, result.End?.Description);
        return result.Message;
    }
}
