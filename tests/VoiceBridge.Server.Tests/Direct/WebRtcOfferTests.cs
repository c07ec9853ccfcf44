using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using VoiceBridge.Realtime.Simulator.Calls;

namespace VoiceBridge.Server.Tests.Direct;

/// <summary>
/// <c>POST /v1/realtime/calls</c> on the real host: the single-use client token, refusals before anything reaches the
/// upstream, the server's session on the upstream's call, the sideband open and the policy confirmed before the
/// browser's answer, and the call listed as <c>webrtc</c>.
/// </summary>
public sealed class WebRtcOfferTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("ek_not-a-token")]
    public async Task Offer_WithoutAValidToken_Is401_AndNothingReachesTheUpstream(string? token)
    {
        using var app = DirectApp.Create();

        using var response = await app.OfferAsync(token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_api_key", (await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken))!["error"]!["code"]!.GetValue<string>());
        Assert.Empty(app.Simulator.Live);
    }

    [Fact]
    public async Task Offer_WithASpentToken_Is401()
    {
        using var app = DirectApp.Create();
        var token = await app.MintAsync();
        using (var first = await app.OfferAsync(token))
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        }

        using var second = await app.OfferAsync(token);

        Assert.Equal(HttpStatusCode.Unauthorized, second.StatusCode);
        Assert.Single(app.Simulator.Live);
    }

    [Fact]
    public async Task Offer_WithAToken_IsAnsweredWithTheUpstreamsSdp_OnlyOnceTheSidebandHoldsThePolicy()
    {
        using var app = DirectApp.Create();
        var token = await app.MintAsync();

        using var response = await app.OfferAsync(token);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("application/sdp", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(SimulatorCalls.PlaceholderAnswer, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var location = response.Headers.Location!.OriginalString;
        Assert.StartsWith("/v1/realtime/calls/rtc_", location, StringComparison.Ordinal);
        var call = app.Simulator.Find(location.Split('/')[^1])!;
        // By the time the browser has its answer, the bridge is on the call's sideband.
        Assert.Equal(1, call.SidebandsOpen);
        var session = JsonNode.Parse(call.Session!)!.AsObject();
        Assert.Equal(DirectApp.ServerInstructions, session["instructions"]!.GetValue<string>());
        Assert.Equal("realtime", session["type"]!.GetValue<string>());
        Assert.Contains(session["tools"]!.AsArray(), tool => tool!["name"]!.GetValue<string>() == "end_call");
    }

    [Fact]
    public async Task ALiveWebRtcCall_IsListedAsWebrtc_AndAnOperatorsHangupEndsItAtTheUpstream()
    {
        using var app = DirectApp.Create();
        var (call, media, leg) = await app.StartWebRtcAsync();
        using var admin = app.Admin();

        var live = await admin.GetFromJsonAsync<JsonArray>("/calls", TestContext.Current.CancellationToken);
        var listed = Assert.Single(live!);
        Assert.Equal(call.Id, listed!["id"]!.GetValue<string>());
        Assert.Equal("webrtc", listed["transport"]!.GetValue<string>());

        using var hangup = await admin.PostAsync(new Uri($"/calls/{call.Id}/hangup", UriKind.Relative), null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, hangup.StatusCode);

        Assert.Equal("hung up by the server", await call.Ended.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        Assert.Equal("hung up by the server", await media.Ended.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        await leg.Over.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await app.Registry.WhenEmpty.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task TheCallerLeaving_EndsTheCallOnTheBridge_WhenTheSidebandsReattachIs404()
    {
        using var app = DirectApp.Create();
        var (call, _, leg) = await app.StartWebRtcAsync();

        app.Simulator.Hangup(call.Id, "the caller left");

        await leg.Over.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await app.Registry.WhenEmpty.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(VoiceBridge.Server.Core.CallEndReason.CallerHungUp, (await EndReasonAsync(app, call.Id)));
    }

    [Fact]
    public async Task Offer_AtCapacity_Is503_AndDoesNotSpendTheToken()
    {
        using var app = DirectApp.Create(null, ("Session:MaxConcurrentCalls", "1"));
        await app.StartWebRtcAsync();
        var token = await app.MintAsync();

        using var refused = await app.OfferAsync(token);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Single(app.Simulator.Live);
    }

    [Theory]
    [InlineData("application/json", HttpStatusCode.UnsupportedMediaType)]
    [InlineData("application/sdp", HttpStatusCode.BadRequest)]
    public async Task Offer_ThatIsNotAnSdpOffer_IsRefused(string contentType, HttpStatusCode expected)
    {
        using var app = DirectApp.Create();
        var token = await app.MintAsync();

        using var response = await app.OfferAsync(token, "{\"sdp\":\"nope\"}", contentType);

        Assert.Equal(expected, response.StatusCode);
        Assert.Empty(app.Simulator.Live);
    }

    private static async Task<VoiceBridge.Server.Core.CallEndReason> EndReasonAsync(DirectApp app, string callId)
    {
        using var admin = app.Admin();
        var trail = await admin.GetStringAsync(new Uri($"/calls/{callId}/audit", UriKind.Relative), TestContext.Current.CancellationToken);
        var end = trail.Split('\n').Single(line => line.Contains("\"bridge.end\"", StringComparison.Ordinal));
        return end.Contains("caller_hung_up", StringComparison.Ordinal) ? VoiceBridge.Server.Core.CallEndReason.CallerHungUp : VoiceBridge.Server.Core.CallEndReason.InternalError;
    }
}
