using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using VoiceBridge.Server.Calls;
using VoiceBridge.Server.Cluster;
using VoiceBridge.Server.Security;
using VoiceBridge.Server.Tests.Audit;
using VoiceBridge.Server.Tests.Calls;

namespace VoiceBridge.Server.Tests.Cluster;

/// <summary>
/// Two in-process instances sharing the test Redis (and PostgreSQL for the trail): what one instance does, the other
/// sees — spent tokens, live calls, control, outbound instructions — and what Redis being away does to one instance.
/// </summary>
public sealed class ClusterTests : IAsyncDisposable
{
    private readonly string _table = TestPostgres.NewTable();
    private readonly string _prefix = TestRedis.NewPrefix();
    private readonly List<ClusterHost> _hosts = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TokensMintedOnOneInstance_AreGoodOnAnother_AndSpentOnce_ClusterWide()
    {
        var (a, b) = Pair();
        var callSid = "CA" + new string('1', 32);
        var callToken = a.Factory.Services.GetRequiredService<CallTokens>().Mint(callSid, "+14155550100");
        var (clientToken, _) = a.Factory.Services.GetRequiredService<ClientTokens>().Mint(TimeSpan.FromMinutes(1), null);

        Assert.Equal(CallTokenStatus.Valid, (await b.Factory.Services.GetRequiredService<CallTokens>().CheckAsync(callToken, callSid, Ct)).Status);
        Assert.Equal(CallTokenStatus.Replayed, (await a.Factory.Services.GetRequiredService<CallTokens>().CheckAsync(callToken, callSid, Ct)).Status);
        Assert.Equal(ClientTokenStatus.Valid, (await b.Factory.Services.GetRequiredService<ClientTokens>().CheckAsync(clientToken, Ct)).Status);
        Assert.Equal(ClientTokenStatus.Replayed, (await a.Factory.Services.GetRequiredService<ClientTokens>().CheckAsync(clientToken, Ct)).Status);

        // A signed webhook's id (OpenAI's SIP call webhook) delivered again to the other instance is a replay there.
        var until = DateTimeOffset.UtcNow.AddMinutes(5);
        Assert.True(await a.Factory.Services.GetRequiredService<IReplayGuard>().TryFirstUseAsync("webhook", "wh_" + callSid, until, Ct));
        Assert.False(await b.Factory.Services.GetRequiredService<IReplayGuard>().TryFirstUseAsync("webhook", "wh_" + callSid, until, Ct));

        // Outbound instructions left by the instance that placed the call are taken once, by the one that gets its stream.
        await a.Factory.Services.GetRequiredService<IOutboundInstructions>().AddAsync(callSid, "Be brief.", Ct);
        Assert.Equal("Be brief.", await b.Factory.Services.GetRequiredService<IOutboundInstructions>().TakeAsync(callSid, Ct));
        Assert.Null(await a.Factory.Services.GetRequiredService<IOutboundInstructions>().TakeAsync(callSid, Ct));
    }

    [Fact]
    public async Task ACallOnOneInstance_IsListedAndControlledFromTheOther_AndItsTrailAndRecordingReadThere()
    {
        var (a, b) = Pair();
        const string CallSid = "CA0123456789abcdef0123456789abcdef";
        using var phone = await PhoneCallClient.ConnectAsync(b.Factory, ClusterHost.AuthToken, CallSid);
        Assert.Equal("session.update", (await b.Upstream.NextAsync())["type"]!.GetValue<string>());
        using var admin = a.Admin();

        var listed = await WaitListedAsync(admin, CallSid);
        Assert.Equal("b", listed["instance"]!.GetValue<string>());
        Assert.Equal("twilio", listed["transport"]!.GetValue<string>());

        using (var say = await PostAsync(admin, $"/calls/{CallSid}/say", """{"text":"Hello from the other instance."}"""))
        {
            Assert.Equal(HttpStatusCode.Accepted, say.StatusCode);
        }

        var created = await b.Upstream.NextControlAsync();
        Assert.Equal("response.create", created["type"]!.GetValue<string>());
        Assert.EndsWith("Hello from the other instance.", created["response"]!["instructions"]!.GetValue<string>(), StringComparison.Ordinal);

        await phone.SendMediaAsync(new byte[160]);
        using (var hangup = await PostAsync(admin, $"/calls/{CallSid}/hangup", ""))
        {
            Assert.Equal(HttpStatusCode.Accepted, hangup.StatusCode);
        }

        while (await phone.ReceiveAsync() is not null)
        {
        }

        await b.Factory.Services.GetRequiredService<VoiceBridge.Server.Core.CallRegistry>().WhenEmpty.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        var trail = await admin.GetStringAsync(new Uri($"/calls/{CallSid}/audit", UriKind.Relative), Ct);
        Assert.Contains("\"reason\":\"say\"", trail, StringComparison.Ordinal);
        Assert.Contains("\"reason\":\"hangup\"", trail, StringComparison.Ordinal);
        Assert.Contains("ended_by_bridge", trail, StringComparison.Ordinal);

        // The recording lives in PostgreSQL in chunks; read back through the other instance, it is a WAV whose sizes add up.
        using var recording = await admin.GetAsync(new Uri($"/calls/{CallSid}/recording", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.OK, recording.StatusCode);
        var wav = await recording.Content.ReadAsByteArrayAsync(Ct);
        Assert.Equal("RIFF", Encoding.ASCII.GetString(wav, 0, 4));
        Assert.Equal(wav.Length - 8, BitConverter.ToInt32(wav, 4));
        Assert.Equal(wav.Length - 44, BitConverter.ToInt32(wav, 40));
        Assert.True(wav.Length > 44, "the recording has no audio");

        var after = await admin.GetFromJsonAsync<JsonArray>(new Uri("/calls", UriKind.Relative), Ct);
        Assert.DoesNotContain(after!, call => call!["id"]!.GetValue<string>() == CallSid);
    }

    [Fact]
    public async Task ControlOfACallWhoseOwnerIsGone_Is410_NamingTheOwner()
    {
        var (a, _) = Pair();
        // An entry left by an instance that died (no process subscribes to its control channel any more).
        var redis = await ConnectionMultiplexer.ConnectAsync(TestRedis.Address());
        await using (redis)
        {
            var entry = """{"call_id":"CAghost","instance":"vb-ghost","transport":"twilio","started":"2026-01-01T00:00:00+00:00","state":"live"}""";
            await redis.GetDatabase().HashSetAsync(_prefix + "call:CAghost", [new("instance", "vb-ghost"), new("entry", entry)]);
            await redis.GetDatabase().KeyExpireAsync(_prefix + "call:CAghost", TimeSpan.FromSeconds(30));
        }

        using var admin = a.Admin();
        using var hangup = await PostAsync(admin, "/calls/CAghost/hangup", "");

        Assert.Equal(HttpStatusCode.Gone, hangup.StatusCode);
        Assert.Contains("vb-ghost", await hangup.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Audit:Sink", "File", "Audit:Sink must be Postgres")]
    [InlineData("Browser:TokenSecret", "", "Browser:TokenSecret must be set")]
    [InlineData("Cluster:Redis", "127.0.0.1:notaport", "Cluster:Redis names no server")]
    [InlineData("Cluster:DirectoryTtlSeconds", "1", "Cluster:DirectoryTtlSeconds must be between 3 and 300")]
    public void AClusterThatCannotWorkAsOne_DoesNotStart_AndSaysWhy(string key, string value, string message)
    {
        using var host = new ClusterHost("a", "127.0.0.1:1", _prefix, _table, (key, value));

        var error = Assert.ThrowsAny<Exception>(() => host.Factory.CreateClient());

        Assert.Contains(message, Flatten(error), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RedisAway_KeepsTheLiveCall_RefusesNewCalls_NotReady_AndRecovers()
    {
        var (server, port) = await TestRedis.StartOwnAsync();
        try
        {
            var host = Add(new ClusterHost("solo", $"127.0.0.1:{port}", _prefix, _table));
            using var http = host.Factory.CreateClient();
            const string CallSid = "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
            using var phone = await PhoneCallClient.ConnectAsync(host.Factory, ClusterHost.AuthToken, CallSid);
            Assert.Equal("session.update", (await host.Upstream.NextAsync())["type"]!.GetValue<string>());
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/readyz", UriKind.Relative), Ct)).StatusCode);

            var redis = host.Factory.Services.GetRequiredService<ClusterRedis>();
            var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var restored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            // Commands (and readiness) use the interactive connection; the subscription one comes and goes on its own.
            redis.Connection.ConnectionFailed += (_, e) =>
            {
                if (e.ConnectionType == ConnectionType.Interactive)
                {
                    lost.TrySetResult();
                }
            };
            redis.Connection.ConnectionRestored += (_, e) =>
            {
                if (e.ConnectionType == ConnectionType.Interactive)
                {
                    restored.TrySetResult();
                }
            };
            server.Kill();
            await server.WaitForExitAsync(Ct);
            await lost.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);

            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync(new Uri("/readyz", UriKind.Relative), Ct)).StatusCode);
            using (var webhook = await PostWebhookAsync(http, "CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, webhook.StatusCode);
            }

            // The live call still relays the caller's audio.
            await phone.SendMediaAsync(new byte[160]);
            Assert.Equal("input_audio_buffer.append", (await host.Upstream.NextAsync())["type"]!.GetValue<string>());

            server.Dispose();
            (server, _) = await TestRedis.StartOwnAsync(port);
            await restored.Task.WaitAsync(TimeSpan.FromSeconds(60), Ct);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/readyz", UriKind.Relative), Ct)).StatusCode);
            using (var webhook = await PostWebhookAsync(http, "CAcccccccccccccccccccccccccccccccc"))
            {
                Assert.Equal(HttpStatusCode.OK, webhook.StatusCode);
            }

            // The restarted (empty) Redis gets the live call back from the directory's refresh.
            using var admin = host.Admin();
            var listed = await WaitListedAsync(admin, CallSid);
            Assert.Equal("solo", listed["instance"]!.GetValue<string>());
        }
        finally
        {
            server.Kill();
            server.Dispose();
        }
    }

    [Fact]
    public async Task AFullInstance_IsNotReady_SendsTheNextWebhookElsewhere_AndIsReadyAgainWhenItsCallEnds()
    {
        var host = Add(new ClusterHost("full", TestRedis.Address(), _prefix, _table, ("Session:MaxConcurrentCalls", "1")));
        using var http = host.Factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/readyz", UriKind.Relative), Ct)).StatusCode);

        using var phone = await PhoneCallClient.ConnectAsync(host.Factory, ClusterHost.AuthToken, "CAdddddddddddddddddddddddddddddddd");
        Assert.Equal("session.update", (await host.Upstream.NextAsync())["type"]!.GetValue<string>());

        // Full: the balancer stops sending calls here, and a webhook that still arrives is a 503 it retries on another instance.
        using (var ready = await http.GetAsync(new Uri("/readyz", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        }

        using (var webhook = await PostWebhookAsync(http, "CAeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, webhook.StatusCode);
            Assert.Equal("1", webhook.Headers.RetryAfter?.ToString());
        }

        await phone.SendAsync($"{{\"event\":\"stop\",\"streamSid\":\"{PhoneCallClient.StreamSid}\"}}");
        while (await phone.ReceiveAsync() is not null)
        {
        }

        // The call's place is given back as its endpoint returns, just after the socket closed: asked until ready, each
        // answer the server's own, within 10 s.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        while ((await http.GetAsync(new Uri("/readyz", UriKind.Relative), timeout.Token)).StatusCode != HttpStatusCode.OK)
        {
            await Task.Yield();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            host.Dispose();
        }

        if (Environment.GetEnvironmentVariable(TestPostgres.Variable) is { Length: > 0 } postgres)
        {
            await TestPostgres.DropAsync(postgres, _table);
            await TestPostgres.DropAsync(postgres, _table + "_wav");
        }
    }

    // Waits for the call to appear in the directory through the admin API (its entry is written as the call starts,
    // without the call waiting for Redis): a bounded number of asks, each answered by the server.
    private static async Task<JsonNode> WaitListedAsync(HttpClient admin, string callSid)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        while (true)
        {
            var calls = await admin.GetFromJsonAsync<JsonArray>(new Uri("/calls", UriKind.Relative), timeout.Token);
            if (calls!.FirstOrDefault(call => call!["id"]!.GetValue<string>() == callSid) is { } found)
            {
                return found;
            }

            await Task.Yield();
        }
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string path, string json) =>
        client.PostAsync(new Uri(path, UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"), Ct);

    private static async Task<HttpResponseMessage> PostWebhookAsync(HttpClient http, string callSid)
    {
        var form = new Dictionary<string, string> { ["CallSid"] = callSid, ["From"] = "+14155550100" };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/twilio/voice", UriKind.Relative)) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Twilio-Signature", VoiceBridge.Server.Twilio.TwilioSignature.Compute(ClusterHost.AuthToken, "https://bridge.example.com/twilio/voice", form));
        return await http.SendAsync(request, Ct);
    }

    private static string Flatten(Exception error) => error is AggregateException many
        ? string.Join(" ", many.InnerExceptions.Select(Flatten))
        : error.Message + (error.InnerException is { } inner ? " " + Flatten(inner) : "");

    private (ClusterHost A, ClusterHost B) Pair() =>
        (Add(new ClusterHost("a", TestRedis.Address(), _prefix, _table)), Add(new ClusterHost("b", TestRedis.Address(), _prefix, _table)));

    private ClusterHost Add(ClusterHost host)
    {
        _hosts.Add(host);
        return host;
    }
}
