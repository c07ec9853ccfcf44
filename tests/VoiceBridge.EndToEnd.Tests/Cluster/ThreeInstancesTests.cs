extern alias cli;

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using cli::VoiceBridge.Cli.Call;
using cli::VoiceBridge.Cli.Load;
using StackExchange.Redis;
using LoadOptions = cli::VoiceBridge.Cli.Load.LoadOptions;

namespace VoiceBridge.EndToEnd.Tests.Cluster;

/// <summary>
/// Issue 18's "proven on one machine": three server processes on loopback behind Debian's nginx, sharing the Redis and
/// PostgreSQL tests/run.sh starts, their upstream the load tool's simulator. One test, in phases, because starting three
/// servers is the expensive part: webhook and stream on different instances, a replayed token refused by another
/// instance, every call listed and controllable from any instance, kill -9 of one instance, and a rolling restart of
/// all three under the load tool. Each phase is bounded in calls and time; the figures go to the run's figures.
/// </summary>
public sealed class ThreeInstancesTests
{
    private const string AuthToken = BridgeUnderTest.AuthToken;
    private const string AdminKey = BridgeUnderTest.AdminKey;
    private const int DirectoryTtlSeconds = 3;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ThreeInstancesBehindNginx_BehaveAsOne_KillNineEndsOnlyItsCalls_RollingRestartLosesNoCallAndNoFrame()
    {
        var redis = Environment.GetEnvironmentVariable("VOICEBRIDGE_TEST_REDIS");
        var postgres = Environment.GetEnvironmentVariable("VOICEBRIDGE_TEST_POSTGRES");
        var nginxBinary = NginxBalancer.Binary();
        Prerequisite.Require(!string.IsNullOrEmpty(redis), "Redis (VOICEBRIDGE_TEST_REDIS)");
        Prerequisite.Require(!string.IsNullOrEmpty(postgres), "PostgreSQL (VOICEBRIDGE_TEST_POSTGRES)");
        Prerequisite.Require(nginxBinary is not null, "nginx (VOICEBRIDGE_TEST_NGINX)");

        await using var cluster = new TestCluster(redis!, postgres!);
        await using var upstream = new LoadUpstream();
        await upstream.StartAsync(Ct);
        var ports = new[] { BridgeProcess.FreePort(), BridgeProcess.FreePort(), BridgeProcess.FreePort() };
        await using var nginx = await NginxBalancer.StartAsync(nginxBinary!, ports);
        await cluster.StartAsync(ports, upstream.Uri, nginx.BaseUri);
        using var http = new HttpClient();

        await WebhookAndStreamOnDifferentInstances_ReplayRefusedElsewhereAsync(cluster, nginx, http);
        await AnyInstanceListsAndControlsEveryCallAsync(cluster, nginx, http);
        await KillNine_EndsOnlyItsCalls_DirectoryForgetsThemAsync(cluster, nginx, http);
        await RollingRestart_UnderLoad_LosesNoCallAndNoFrameAsync(cluster, nginx, upstream);
    }

    // Round robin over one nginx worker: a call's webhook and its stream upgrade land on consecutive instances.
    private static async Task WebhookAndStreamOnDifferentInstances_ReplayRefusedElsewhereAsync(TestCluster cluster, NginxBalancer nginx, HttpClient http)
    {
        var speech = Signals.ToMuLaw(Signals.Voice(seconds: 0.8, silenceAfterSeconds: 0.4));
        var crossed = 0;
        for (var i = 0; i < 3; i++)
        {
            using var call = new FakeTwilioCall(
                new FakeTwilioCallOptions { ServerUrl = nginx.BaseUri, AuthToken = AuthToken, CallerAudio = speech, Tail = TimeSpan.FromSeconds(1.5), PlayoutDelay = TimeSpan.FromMilliseconds(200) },
                http);
            var result = await call.RunAsync(Ct).WaitAsync(TimeSpan.FromSeconds(60), Ct);
            Assert.True(result.Outcome == FakeTwilioCallOutcome.Completed, $"call {i}: {result.Outcome} {result.Detail}\n{nginx.AccessLog}");
            Assert.True(result.MediaReceived > 0, $"call {i} heard no reply");
            var answered = cluster.IndexWithLine(call.CallSid, "answered with a media stream");
            var streamed = cluster.IndexWithLine(call.CallSid, "started, stream");
            crossed += answered != streamed ? 1 : 0;
        }

        Assert.True(crossed >= 2, $"only {crossed} of 3 calls had their webhook and stream on different instances:\n{nginx.AccessLog}");

        // A token minted by instance A, spent by a stream on B, then replayed to C: C refuses it (1008) before any upstream.
        var callSid = "CA" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        var (streamUrl, token) = await AnswerWebhookAsync(http, cluster.Instances[0].BaseUri, nginx.BaseUri, callSid);
        using var spent = await OpenStreamAsync(cluster.Instances[1].BaseUri, streamUrl, callSid, token);
        await cluster.Instances[1].WaitForLineAsync(callSid, "started, stream", TimeSpan.FromSeconds(30));
        using var replayed = await OpenStreamAsync(cluster.Instances[2].BaseUri, streamUrl, callSid, token);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await ClosedWithAsync(replayed));
        await cluster.Instances[2].WaitForLineAsync(callSid, "call token Replayed", TimeSpan.FromSeconds(10));
        await spent.CloseAsync(WebSocketCloseStatus.NormalClosure, null, Ct);
        Figures.Report($"cluster: {crossed} of 3 calls through nginx had webhook and media stream on different instances, all connected; a call token spent on B and replayed to C was refused (1008)");
    }

    private static async Task AnyInstanceListsAndControlsEveryCallAsync(TestCluster cluster, NginxBalancer nginx, HttpClient http)
    {
        // Long enough to outlast the listing and the hang-up; the hung-up call ends early, the others finish on their own.
        var speech = Signals.ToMuLaw([.. Enumerable.Repeat(Signals.Voice(seconds: 0.8, silenceAfterSeconds: 1.2), 5).SelectMany(s => s)]);
        var calls = Enumerable.Range(0, 3).Select(_ => new FakeTwilioCall(
            new FakeTwilioCallOptions { ServerUrl = nginx.BaseUri, AuthToken = AuthToken, CallerAudio = speech, Tail = TimeSpan.FromSeconds(0.5), PlayoutDelay = TimeSpan.FromMilliseconds(200) },
            http)).ToList();
        // The operations dashboard as a .NET SignalR client, logged in on instance A and connected to A's hub only.
        await using var dashboard = await DashboardViewer.ConnectAsync(cluster.Instances[0].BaseUri, AdminKey);
        try
        {
            var runs = new List<Task<FakeTwilioCallResult>>();
            var lags = new List<(TimeSpan Lag, int Asks)>();
            foreach (var call in calls)
            {
                runs.Add(call.RunAsync(Ct));
                await cluster.WaitStartedAsync(call.CallSid);
                lags.Add(await ListedEverywhereAsync(cluster, call.CallSid));
            }

            var owners = new List<Dictionary<string, string>>();
            foreach (var instance in cluster.Instances)
            {
                owners.Add(await ListAsync(instance.BaseUri));
            }

            foreach (var listed in owners)
            {
                Assert.All(calls, call => Assert.True(listed.ContainsKey(call.CallSid), $"{call.CallSid} not listed by every instance: {string.Join(", ", listed.Keys)}"));
                Assert.Equal(owners[0].Where(p => calls.Any(c => c.CallSid == p.Key)).OrderBy(p => p.Key), listed.Where(p => calls.Any(c => c.CallSid == p.Key)).OrderBy(p => p.Key));
            }

            // A call held by another instance shows on A's dashboard: its owner's feed reaches A's viewer through the backplane.
            var elsewhere = calls.Select(call => call.CallSid).First(sid => owners[0][sid] != cluster.Instances[0].InstanceId);
            var shownBy = await dashboard.RowInstanceAsync(elsewhere, TimeSpan.FromSeconds(20));
            Assert.StartsWith(owners[0][elsewhere] + "-", shownBy, StringComparison.Ordinal);

            var target = calls[0].CallSid;
            var owner = owners[0][target];
            var other = cluster.Instances.First(instance => instance.InstanceId != owner);
            using (var hangup = await AdminPostAsync(other.BaseUri, $"calls/{target}/hangup"))
            {
                Assert.Equal(HttpStatusCode.Accepted, hangup.StatusCode);
            }

            var ended = await runs[0].WaitAsync(TimeSpan.FromSeconds(30), Ct);
            Assert.Equal(FakeTwilioCallOutcome.EndedByBridge, ended.Outcome);
            Assert.Equal(WebSocketCloseStatus.NormalClosure, ended.CloseStatus);
            var results = await Task.WhenAll(runs).WaitAsync(TimeSpan.FromSeconds(60), Ct);
            Assert.All(results.Skip(1), result => Assert.Equal(FakeTwilioCallOutcome.Completed, result.Outcome));

            // The operator's hang-up is in the call's trail, read back from a third instance.
            var reader = cluster.Instances.First(instance => instance.InstanceId != owner && instance != other);
            using var admin = AdminClient(reader.BaseUri);
            var trail = await admin.GetStringAsync(new Uri($"calls/{target}/audit", UriKind.Relative), Ct);
            Assert.Contains("\"reason\":\"hangup\"", trail, StringComparison.Ordinal);
            using var recording = await admin.GetAsync(new Uri($"calls/{target}/recording", UriKind.Relative), Ct);
            Assert.Equal(HttpStatusCode.OK, recording.StatusCode);
            Figures.Report(string.Create(CultureInfo.InvariantCulture,
                $"cluster: 3 live calls listed identically by all 3 instances (owners {string.Join(", ", owners[0].Where(p => calls.Any(c => c.CallSid == p.Key)).Select(p => p.Value))}), each listed by every instance at most {lags.Max(l => l.Lag).TotalMilliseconds:F0} ms after the test saw its owner log the start, {lags.Sum(l => l.Asks)} listings asked for {lags.Count * 3} needed (directory lag); hang-up sent to {other.InstanceId} ended the call on {owner}; its trail and recording read from {reader.InstanceId}; the dashboard connected to {cluster.Instances[0].InstanceId} showed call {elsewhere} held by {owners[0][elsewhere]}"));
        }
        finally
        {
            calls.ForEach(call => call.Dispose());
        }
    }

    private static async Task KillNine_EndsOnlyItsCalls_DirectoryForgetsThemAsync(TestCluster cluster, NginxBalancer nginx, HttpClient http)
    {
        var speech = Signals.ToMuLaw([.. Enumerable.Repeat(Signals.Voice(seconds: 0.8, silenceAfterSeconds: 1.2), 5).SelectMany(s => s)]);
        var calls = Enumerable.Range(0, 6).Select(_ => new FakeTwilioCall(
            new FakeTwilioCallOptions { ServerUrl = nginx.BaseUri, AuthToken = AuthToken, CallerAudio = speech, Tail = TimeSpan.FromSeconds(0.5), PlayoutDelay = TimeSpan.FromMilliseconds(200) },
            http)).ToList();
        try
        {
            var runs = new List<Task<FakeTwilioCallResult>>();
            foreach (var call in calls)
            {
                runs.Add(call.RunAsync(Ct));
                await cluster.WaitStartedAsync(call.CallSid);
            }

            var owners = await ListAsync(cluster.Instances[0].BaseUri);
            var victim = cluster.Instances.MaxBy(instance => calls.Count(call => owners.GetValueOrDefault(call.CallSid) == instance.InstanceId))!;
            var lost = calls.Where(call => owners[call.CallSid] == victim.InstanceId).Select(call => call.CallSid).ToHashSet();
            Assert.NotEmpty(lost);

            // Redis tells when each lost call's entry expires (keyspace notifications on the test's own Redis).
            using var events = await ConnectionMultiplexer.ConnectAsync(cluster.RedisConfiguration(admin: true));
            await events.GetServer(events.GetEndPoints()[0]).ConfigSetAsync("notify-keyspace-events", "Ex");
            var expired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var pending = lost.Select(cluster.DirectoryKey).ToHashSet();
            var killedAt = Stopwatch.StartNew();
            TimeSpan lastExpiry = default;
            await events.GetSubscriber().SubscribeAsync(RedisChannel.Literal("__keyevent@0__:expired"), (_, key) =>
            {
                lock (pending)
                {
                    if (pending.Remove(key!) && pending.Count == 0)
                    {
                        lastExpiry = killedAt.Elapsed;
                        expired.TrySetResult();
                    }
                }
            });

            killedAt.Restart();
            await victim.KillAsync();
            var results = await Task.WhenAll(runs).WaitAsync(TimeSpan.FromSeconds(60), Ct);
            await expired.Task.WaitAsync(TimeSpan.FromSeconds(DirectoryTtlSeconds + 10), Ct);

            var survivor = cluster.Instances.First(instance => instance != victim);
            var listed = await ListAsync(survivor.BaseUri);
            using var admin = AdminClient(survivor.BaseUri);
            for (var i = 0; i < calls.Count; i++)
            {
                var sid = calls[i].CallSid;
                var transcript = await admin.GetFromJsonAsync<JsonObject>(new Uri($"calls/{sid}/transcript", UriKind.Relative), Ct);
                if (lost.Contains(sid))
                {
                    Assert.NotEqual(FakeTwilioCallOutcome.Completed, results[i].Outcome);
                    Assert.False(listed.ContainsKey(sid), $"{sid} of the killed instance is still listed");
                    Assert.Equal("incomplete", transcript!["trail"]!.GetValue<string>());
                }
                else
                {
                    Assert.True(results[i].Outcome == FakeTwilioCallOutcome.Completed, $"{sid} on {owners[sid]}: {results[i].Outcome} {results[i].Detail}");
                    Assert.Equal("complete", transcript!["trail"]!.GetValue<string>());
                }
            }

            Figures.Report(string.Create(CultureInfo.InvariantCulture,
                $"cluster kill -9: {lost.Count} of 6 calls were on the killed instance and ended with it, trails incomplete; the other {6 - lost.Count} completed untouched, trails complete; directory forgot the lost calls {lastExpiry.TotalSeconds:F1} s after the kill (Cluster:DirectoryTtlSeconds {DirectoryTtlSeconds})"));
            await cluster.RestartAsync(victim);
        }
        finally
        {
            calls.ForEach(call => call.Dispose());
        }
    }

    // Drain one (SIGTERM), wait for it to empty and exit, start it again, next — while the load tool keeps placing calls
    // through nginx in overlapping waves. Every call must complete with every frame matched across the bridge.
    private static async Task RollingRestart_UnderLoad_LosesNoCallAndNoFrameAsync(TestCluster cluster, NginxBalancer nginx, LoadUpstream upstream)
    {
        using var stopLoad = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var waves = new List<Task<LoadReport>>();
        var load = Task.Run(async () =>
        {
            while (!stopLoad.IsCancellationRequested)
            {
                waves.Add(LoadRunner.RunAsync(
                    new LoadOptions { BridgeUrl = nginx.BaseUri, Calls = 3, Ramp = TimeSpan.FromSeconds(1), Duration = TimeSpan.FromSeconds(3), AuthToken = AuthToken, SampleInterval = TimeSpan.FromMilliseconds(500) },
                    upstream, progress: null, Ct));
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(2), stopLoad.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }, Ct);

        var drains = new List<(string Instance, int Live, double DrainSeconds, double BackSeconds)>();
        foreach (var instance in cluster.Instances.ToList())
        {
            // Drained while it holds calls (the load's first wave may not have reached it yet): asked back to back,
            // each answer a round trip through the instance and Redis, for at most 15 s.
            var waited = Stopwatch.StartNew();
            var live = 0;
            while ((live = CountLive(await ListAsync(instance.BaseUri), instance.InstanceId)) == 0 && waited.Elapsed < TimeSpan.FromSeconds(15))
            {
                await Task.Yield();
            }

            var drain = Stopwatch.StartNew();
            instance.Process.Terminate();
            var exit = await instance.Process.WaitForExitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(0, exit);
            var drained = drain.Elapsed.TotalSeconds;
            await cluster.RestartAsync(instance);
            drains.Add((instance.InstanceId, live, drained, drain.Elapsed.TotalSeconds - drained));
        }

        await stopLoad.CancelAsync();
        await load;
        var reports = await Task.WhenAll(waves).WaitAsync(TimeSpan.FromSeconds(120), Ct);
        var requested = reports.Sum(r => r.CallsRequested);
        var held = reports.Sum(r => r.CallsHeld);
        var sent = reports.Sum(r => r.Frames.InboundSent);
        var arrived = reports.Sum(r => r.Frames.InboundArrived);
        var deltas = reports.Sum(r => r.Frames.OutboundDeltasSent);
        var marked = reports.Sum(r => r.Frames.OutboundDeltasArrived);
        var errors = reports.SelectMany(r => r.Errors).Select(e => $"{e.Kind} ×{e.Count}: {e.Example}").ToList();
        var perInstance = string.Join("; ", drains.Select(d => string.Create(CultureInfo.InvariantCulture,
            $"{d.Instance}: {d.Live} live at SIGTERM, drained and exited in {d.DrainSeconds:F1} s, ready again {d.BackSeconds:F1} s later")));
        Figures.Report(string.Create(CultureInfo.InvariantCulture,
            $"cluster rolling restart under load: {held}/{requested} calls held across the restart of all 3 instances ({reports.Length} waves of 3), frames in {arrived}/{sent} (lost {sent - arrived}), deltas out {marked}/{deltas} (lost {deltas - marked}); {perInstance}"));
        Assert.True(errors.Count == 0, string.Join("; ", errors));
        Assert.Equal(requested, held);
        Assert.Equal(sent, arrived);
        Assert.Equal(0, reports.Sum(r => r.Frames.InboundDropped));
        Assert.Equal(deltas, marked);
        Assert.Equal(0, reports.Sum(r => r.Frames.OutboundDropped));
        Assert.True(drains.Sum(d => d.Live) > 0, "no instance had a live call when it was drained: the restart was not under load");
    }

    // Directory lag: from the owner's 'started' line (as the test read it) until GET /calls on every instance lists the
    // call, asked back to back (each answer a real round trip through the instance and Redis), within 10 s.
    // The asks tell the two apart: 3 means every instance listed it the first time, so the lag is the round trips'.
    private static async Task<(TimeSpan Lag, int Asks)> ListedEverywhereAsync(TestCluster cluster, string callSid)
    {
        var elapsed = Stopwatch.StartNew();
        var asks = 0;
        foreach (var instance in cluster.Instances)
        {
            while (!(await ListAsync(instance.BaseUri)).ContainsKey(callSid))
            {
                asks++;
                Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(10), $"{callSid} not listed by {instance.InstanceId} 10 s after it started");
            }

            asks++;
        }

        return (elapsed.Elapsed, asks);
    }

    private static int CountLive(Dictionary<string, string> owners, string instance) => owners.Count(pair => pair.Value == instance);

    // The signed voice webhook posted straight to one instance (signed for the public URL, as Twilio does): the TwiML's stream URL and token.
    private static async Task<(string StreamUrl, string Token)> AnswerWebhookAsync(HttpClient http, Uri instance, Uri publicBase, string callSid)
    {
        var form = new Dictionary<string, string> { ["CallSid"] = callSid, ["From"] = "+14155550100", ["To"] = "+15005550006", ["AccountSid"] = "AC0123456789abcdef0123456789abcdef" };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(instance, "/twilio/voice")) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Twilio-Signature", TwilioRequestSigner.Sign(AuthToken, new Uri(publicBase, "/twilio/voice").AbsoluteUri, form));
        using var response = await http.SendAsync(request, Ct);
        response.EnsureSuccessStatusCode();
        var stream = XDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).Root!.Element("Connect")!.Element("Stream")!;
        return (stream.Attribute("url")!.Value, stream.Element("Parameter")!.Attribute("value")!.Value);
    }

    private static async Task<ClientWebSocket> OpenStreamAsync(Uri instance, string streamUrl, string callSid, string token)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("X-Twilio-Signature", TwilioRequestSigner.Sign(AuthToken, streamUrl, []));
        await socket.ConnectAsync(new Uri("ws://" + instance.Authority + "/twilio/media"), Ct);
        const string StreamSid = "MZ00112233445566778899aabbccddeeff";
        var start = "{\"event\":\"start\",\"sequenceNumber\":\"1\",\"start\":{\"streamSid\":\"" + StreamSid + "\",\"callSid\":\"" + callSid
            + "\",\"customParameters\":{\"callToken\":\"" + token + "\"}},\"streamSid\":\"" + StreamSid + "\"}";
        await socket.SendAsync(Encoding.UTF8.GetBytes("{\"event\":\"connected\",\"protocol\":\"Call\",\"version\":\"1.0.0\"}"), WebSocketMessageType.Text, true, Ct);
        await socket.SendAsync(Encoding.UTF8.GetBytes(start), WebSocketMessageType.Text, true, Ct);
        return socket;
    }

    private static async Task<WebSocketCloseStatus?> ClosedWithAsync(ClientWebSocket socket)
    {
        var buffer = new byte[4096];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return result.CloseStatus;
            }
        }
    }

    // GET /calls: call id → owning instance.
    private static async Task<Dictionary<string, string>> ListAsync(Uri instance)
    {
        using var admin = AdminClient(instance);
        var calls = await admin.GetFromJsonAsync<JsonArray>(new Uri("calls", UriKind.Relative), Ct);
        return calls!.ToDictionary(call => call!["id"]!.GetValue<string>(), call => call!["instance"]!.GetValue<string>());
    }

    private static async Task<HttpResponseMessage> AdminPostAsync(Uri instance, string path)
    {
        using var admin = AdminClient(instance);
        return await admin.PostAsync(new Uri(path, UriKind.Relative), new StringContent(""), Ct);
    }

    private static HttpClient AdminClient(Uri instance)
    {
        var client = new HttpClient { BaseAddress = instance };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminKey);
        return client;
    }
}
