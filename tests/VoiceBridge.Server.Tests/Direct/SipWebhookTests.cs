using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using VoiceBridge.Realtime.Simulator.Calls;
using VoiceBridge.Server.Direct;

namespace VoiceBridge.Server.Tests.Direct;

/// <summary>
/// <c>POST /openai/webhook</c> on the real host: a signed <c>realtime.call.incoming</c> is answered at once and the call
/// accepted with the server policy and held on its sideband; a bad signature, a stale timestamp and a replayed id are
/// refused without an accept and counted; a full bridge rejects the call with 486.
/// </summary>
public sealed class SipWebhookTests
{
    private static readonly KeyValuePair<string, string>[] Headers =
    [
        new("From", "\"Ada\" <sip:+15551230000@carrier.example>;tag=abc"),
        new("To", "<sip:proj_test@sip.api.openai.com>"),
    ];

    [Fact]
    public async Task ASignedIncomingCall_IsAcceptedWithThePolicy_HeldOnItsSideband_AndListedAsSipWithTheCallersNumber()
    {
        using var app = DirectApp.Create();
        var call = app.Simulator.Incoming(Headers);
        var running = app.NextRunningAsync();

        using var response = await app.WebhookAsync(call);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var leg = await running;
        Assert.Equal(SimulatorCallState.Live, call.State);
        Assert.Equal(DirectApp.ServerInstructions, JsonNode.Parse(call.Session!)!["instructions"]!.GetValue<string>());
        Assert.Equal(1, call.SidebandsOpen);
        using var admin = app.Admin();
        var listed = Assert.Single((await admin.GetFromJsonAsync<JsonArray>("/calls", TestContext.Current.CancellationToken))!);
        Assert.Equal("sip", listed!["transport"]!.GetValue<string>());
        Assert.Equal("+15551230000", listed["caller"]!.GetValue<string>());
        Assert.Equal(DirectCallLeg.Sip, leg.Transport);
    }

    [Fact]
    public async Task ABadSignature_IsRefused_WithoutAnAccept_AndCounted()
    {
        using var app = DirectApp.Create();
        using var counts = Count(app);
        var call = app.Simulator.Incoming(Headers);

        using var forged = await app.WebhookAsync(call, secret: "whsec_" + Convert.ToBase64String(new byte[32]));
        using var unsigned = await app.WebhookAsync(call, signature: "v1,bm90IGEgc2lnbmF0dXJl");

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, unsigned.StatusCode);
        Assert.Equal(SimulatorCallState.Ringing, call.State);
        Assert.Equal(2, counts.Get("bad_signature"));
    }

    [Theory]
    [InlineData(-6)]
    [InlineData(6)]
    public async Task AStaleTimestamp_IsRefused_WithoutAnAccept(int minutes)
    {
        using var app = DirectApp.Create();
        using var counts = Count(app);
        var call = app.Simulator.Incoming(Headers);

        using var response = await app.WebhookAsync(call, at: DateTimeOffset.UtcNow.AddMinutes(minutes));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(SimulatorCallState.Ringing, call.State);
        Assert.Equal(1, counts.Get("stale"));
    }

    [Fact]
    public async Task AReplayedWebhookId_IsNotAcceptedAgain()
    {
        using var app = DirectApp.Create();
        using var counts = Count(app);
        var first = app.Simulator.Incoming(Headers);
        var running = app.NextRunningAsync();
        using (var delivered = await app.WebhookAsync(first, id: "wh_replayed"))
        {
            Assert.Equal(HttpStatusCode.OK, delivered.StatusCode);
        }

        await running;
        // The same delivery again, for another ringing call: a replay, whatever the body says.
        var second = app.Simulator.Incoming(Headers);
        using var replayed = await app.WebhookAsync(second, id: "wh_replayed");

        Assert.Equal(HttpStatusCode.OK, replayed.StatusCode);
        Assert.Equal(SimulatorCallState.Ringing, second.State);
        Assert.Equal(1, counts.Get("replayed"));
        Assert.Single(app.Direct.Live);
    }

    [Fact]
    public async Task WithoutASecret_EveryWebhookIsRefused()
    {
        using var app = DirectApp.Create(null, ("Upstream:WebhookSecret", ""));
        using var counts = Count(app);
        var call = app.Simulator.Incoming(Headers);

        using var response = await app.WebhookAsync(call);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(SimulatorCallState.Ringing, call.State);
        Assert.Equal(1, counts.Get("no_secret"));
    }

    [Fact]
    public async Task AtCapacity_TheCallIsRejectedWith486()
    {
        using var app = DirectApp.Create(null, ("Session:MaxConcurrentCalls", "1"));
        await app.StartWebRtcAsync();
        var call = app.Simulator.Incoming(Headers);

        using var response = await app.WebhookAsync(call);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("rejected with SIP 486", await call.Ended.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task AnOperatorsHangup_EndsTheSipCallAtTheUpstream()
    {
        using var app = DirectApp.Create();
        var call = app.Simulator.Incoming(Headers);
        var running = app.NextRunningAsync();
        using (await app.WebhookAsync(call))
        {
        }

        var leg = await running;
        using var admin = app.Admin();
        using var hangup = await admin.PostAsync(new Uri($"/calls/{call.Id}/hangup", UriKind.Relative), null, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, hangup.StatusCode);
        Assert.Equal("hung up by the server", await call.Ended.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        await leg.Over.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    private static RefusalCounts Count(DirectApp app) => new(app.Factory.Services.GetRequiredService<IMeterFactory>());

    private sealed class RefusalCounts : IDisposable
    {
        private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);
        private readonly MeterListener _listener;

        public RefusalCounts(IMeterFactory meters)
        {
            _listener = new MeterListener
            {
                InstrumentPublished = (instrument, listener) =>
                {
                    if (instrument.Meter.Scope == meters && instrument.Name == "voicebridge.webhooks.refused")
                    {
                        listener.EnableMeasurementEvents(instrument);
                    }
                },
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "voicebridge.reason")
                    {
                        _counts.AddOrUpdate((string)tag.Value!, value, (_, sum) => sum + value);
                    }
                }
            });
            _listener.Start();
        }

        public long Get(string reason) => _counts.GetValueOrDefault(reason);

        public void Dispose() => _listener.Dispose();
    }
}
