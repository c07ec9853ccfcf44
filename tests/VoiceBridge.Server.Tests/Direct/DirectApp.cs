using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using VoiceBridge.Realtime.Simulator;
using VoiceBridge.Realtime.Simulator.Calls;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Direct;

namespace VoiceBridge.Server.Tests.Direct;

/// <summary>
/// The real host with direct calls on the in-process simulator (its calls resource, sidebands and modelled playback; no
/// media peer, so WebRTC offers get the placeholder answer): a browser's part is played by the test through the
/// simulated call's data channel and media (<see cref="TestMedia"/>), a SIP carrier's by signed webhooks.
/// </summary>
internal sealed class DirectApp : IDisposable
{
    public const string ApiKey = "bridge-key-for-direct-tests";
    public const string AdminKey = "direct-admin-key-0123456789abcdef";
    public const string ServerInstructions = "SERVER-ONLY-INSTRUCTIONS";
    public const string Offer = "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\n";

    public static readonly string Secret = "whsec_" + Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    private DirectApp(WebApplicationFactory<Program> factory)
    {
        Factory = factory;
    }

    public WebApplicationFactory<Program> Factory { get; }

    public SimulatorCalls Simulator => Factory.Services.GetRequiredService<SimulatorCalls>();

    public DirectCalls Direct => Factory.Services.GetRequiredService<DirectCalls>();

    public CallRegistry Registry => Factory.Services.GetRequiredService<CallRegistry>();

    public static DirectApp Create(SimulatorOptions? simulator = null, params (string Key, string Value)[] settings)
    {
#pragma warning disable CA2000 // owned by the returned instance
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
        {
            host.UseSetting("Browser:ApiKeys:0", ApiKey);
            host.UseSetting("Upstream:WebhookSecret", Secret);
            host.UseSetting("Upstream:Instructions", ServerInstructions);
            host.UseSetting("Upstream:TranscriptionModel", "gpt-4o-mini-transcribe");
            host.UseSetting("Audit:AdminKeys:0", AdminKey);
            // A test that leaves its call running must not wait out the default 20 s drain when the host stops.
            host.UseSetting("Shutdown:DrainSeconds", "0");
            foreach (var (key, value) in settings)
            {
                host.UseSetting(key, value);
            }

            if (simulator is not null)
            {
                host.ConfigureServices(services => services.AddSingleton(provider => new SimulatorCalls(simulator, TimeProvider.System)));
            }
        });
#pragma warning restore CA2000
        _ = factory.Services;
        return new DirectApp(factory);
    }

    public HttpClient Admin()
    {
        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        return client;
    }

    public async Task<string> MintAsync()
    {
        using var client = Factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/realtime/client_secrets") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken))!["value"]!.GetValue<string>();
    }

    public async Task<HttpResponseMessage> OfferAsync(string? token, string offer = Offer, string contentType = "application/sdp")
    {
        using var client = Factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/realtime/calls") { Content = new StringContent(offer, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>A WebRTC call the bridge holds: the offer answered, the simulated call and its data channel and media.</summary>
    public async Task<(SimulatorCall Call, TestMedia Media, DirectCallLeg Leg)> StartWebRtcAsync()
    {
        var token = await MintAsync();
        using var response = await OfferAsync(token);
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        var callId = response.Headers.Location!.OriginalString.Split('/')[^1];
        var call = Simulator.Find(callId)!;
        var media = new TestMedia();
        call.AttachMedia(media);
        return (call, media, Direct.Live[callId]);
    }

    /// <summary>Posts the simulator's signed <c>realtime.call.incoming</c> for <paramref name="call"/> as OpenAI would.</summary>
    public async Task<HttpResponseMessage> WebhookAsync(SimulatorCall call, string? secret = null, DateTimeOffset? at = null, string? id = null, string? signature = null)
    {
        var sent = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
        var webhookId = id ?? "wh_test" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var body = SimulatorWebhooks.IncomingBody(call, "evt_test", sent);
        using var client = Factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/openai/webhook") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("webhook-id", webhookId);
        request.Headers.Add("webhook-timestamp", sent.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", signature ?? SimulatorWebhooks.Sign(secret ?? Secret, webhookId, sent, body));
        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>Completes with the next direct call the bridge comes to hold.</summary>
    public Task<DirectCallLeg> NextRunningAsync()
    {
        var running = new TaskCompletionSource<DirectCallLeg>(TaskCreationOptions.RunContinuationsAsynchronously);
        Action<DirectCallLeg>? handler = null;
        handler = leg =>
        {
            Direct.Running -= handler;
            running.TrySetResult(leg);
        };
        Direct.Running += handler;
        return running.Task.WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken);
    }

    /// <summary>Completes when <paramref name="call"/> hands on an event of <paramref name="type"/> (registered before the action that causes it).</summary>
    public static Task WhenSent(SimulatorCall call, VoiceBridge.Realtime.Protocol.RealtimeEventType type, int count = 1)
    {
        var seen = 0;
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        call.ServerEvent += (_, sent) =>
        {
            if (sent == type && Interlocked.Increment(ref seen) >= count)
            {
                signal.TrySetResult();
            }
        };
        return signal.Task.WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken);
    }

    public void Dispose() => Factory.Dispose();
}
