using System.Globalization;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using VoiceBridge.Realtime.Transport;
using VoiceBridge.Server.Core;

namespace VoiceBridge.EndToEnd.Tests.Faults;

/// <summary>
/// A browser call that outlives its upstream session, as a phone call does (<see cref="ReconnectEndToEndTests"/>): the real
/// bridge on loopback, a Realtime client on <c>/v1/realtime</c>, the simulator behind the fault proxy, which drops the first
/// session mid-reply.
/// </summary>
[Collection(nameof(UpstreamFaultGroup))]
public sealed class BrowserReconnectEndToEndTests
{
    private const string BridgeKey = "e2e-browser-reconnect-key";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task UpstreamDroppedMidReply_BrowserCallReconnectsAndGoesOn_TheClientSeesOneSessionAndOnlyTheCutResponseEnd()
    {
        var framesBefore = RealtimeMessage.Outstanding;
        var audit = Directory.CreateTempSubdirectory("voicebridge-browser-reconnect-");
        FaultProxy? proxy = null;
        try
        {
            var settings = new Dictionary<string, string>(UpstreamFaultTests.FastFaultDetection)
            {
                ["Audit:Directory"] = audit.FullName,
                ["Browser:ApiKeys:0"] = BridgeKey,
            };
            await using var bridge = await BridgeUnderTest.StartAsync(
                route: target => (proxy = new FaultProxy(target, index => index == 0 ? UpstreamFault.CloseMidResponse : UpstreamFault.None)).Uri,
                settings: [.. settings.Select(pair => (pair.Key, pair.Value))]);
            using var client = await ConnectAsync(bridge);
            var events = new List<JsonObject>();
            await NextAsync(client, events, "session.created");
            using var admin = bridge.AdminClient();
            var callId = Assert.Single((await admin.GetFromJsonAsync<JsonArray>("/calls", Ct))!)!["id"]!.GetValue<string>();

            // The first utterance: its echo starts streaming, then the upstream connection dies without a close.
            await SendAudioAsync(client, Signals.Voice(seconds: 1.0, silenceAfterSeconds: 1.0, rate: 24000));
            var first = (await NextAsync(client, events, "response.created"))["response"]!["id"]!.GetValue<string>();
            var cut = await NextAsync(client, events, "response.done");
            var cutAt = events.Count;

            // The cut response ends for the client (the new session is up by then); the assistant is asked to go on.
            Assert.Equal(first, cut["response"]!["id"]!.GetValue<string>());
            Assert.Equal("cancelled", cut["response"]!["status"]!.GetValue<string>());
            await NextAsync(client, events, "response.done");

            // The second utterance is heard on the new session.
            await SendAudioAsync(client, Signals.Voice(seconds: 1.0, silenceAfterSeconds: 1.0, rate: 24000));
            await NextAsync(client, events, "input_audio_buffer.speech_started");
            var echo = await NextAsync(client, events, "response.done");
            var replyBytes = events.Skip(cutAt).Where(e => Type(e) == "response.output_audio.delta").Sum(e => Convert.FromBase64String(e["delta"]!.GetValue<string>()).Length);
            await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", Ct);
            await bridge.Services.GetRequiredService<CallRegistry>().WhenEmpty.WaitAsync(TimeSpan.FromSeconds(10), Ct);
            await proxy!.WhenIdle.WaitAsync(TimeSpan.FromSeconds(10), Ct);
            var trail = await admin.GetStringAsync(new Uri($"/calls/{callId}/audit", UriKind.Relative), Ct);

            Figures.Report(string.Create(CultureInfo.InvariantCulture,
                $"browser reconnect after a mid-reply drop: {replyBytes / 48.0:F0} ms of the next reply received on the new upstream session, {bridge.Connector.Connects} upstream connects"));
            Assert.Equal(2, bridge.Connector.Connects);
            Assert.Equal("completed", echo["response"]!["status"]!.GetValue<string>());
            Assert.True(replyBytes > 24_000, $"only {replyBytes / 48.0} ms of reply after the reconnect");
            // One session for the client: no second greeting, no answer to the new session's setup, no echo of the replayed
            // conversation — the next thing after the cut response's end is the assistant going on.
            Assert.Single(events, e => Type(e) == "session.created");
            Assert.Equal("response.created", Type(events[cutAt]));
            Assert.DoesNotContain(events, e => Type(e) is "session.updated" or "error");
            Assert.Contains("bridge.upstream_gap", trail, StringComparison.Ordinal);
            Assert.Contains("resumed", trail, StringComparison.Ordinal);
            Assert.Contains("\"end_reason\":\"caller_closed\"", trail, StringComparison.Ordinal);
        }
        finally
        {
            if (proxy is not null)
            {
                await proxy.DisposeAsync();
            }

            audit.Delete(recursive: true);
        }

        Assert.Equal(framesBefore, RealtimeMessage.Outstanding);
    }

    private static async Task<ClientWebSocket> ConnectAsync(BridgeUnderTest bridge)
    {
        using var http = new HttpClient { BaseAddress = bridge.BaseUri };
        using var mint = new HttpRequestMessage(HttpMethod.Post, "/v1/realtime/client_secrets") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        mint.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", BridgeKey);
        using var minted = await http.SendAsync(mint, Ct);
        minted.EnsureSuccessStatusCode();
        var token = (await minted.Content.ReadFromJsonAsync<JsonObject>(Ct))!["value"]!.GetValue<string>();
        var client = new ClientWebSocket();
        client.Options.SetRequestHeader("Authorization", "Bearer " + token);
        await client.ConnectAsync(new Uri(new UriBuilder(bridge.BaseUri) { Scheme = "ws", Path = "/v1/realtime", Query = "model=gpt-realtime" }.Uri.AbsoluteUri), Ct);
        return client;
    }

    // 100 ms appends, as a browser's capture callback sends them (faster than real time: the simulator's VAD goes by samples).
    private static async Task SendAudioAsync(ClientWebSocket client, short[] samples)
    {
        var pcm = SpeechFiles.Pcm16(samples);
        for (var offset = 0; offset < pcm.Length; offset += 4800)
        {
            var append = "{\"type\":\"input_audio_buffer.append\",\"audio\":\"" + Convert.ToBase64String(pcm.AsSpan(offset, Math.Min(4800, pcm.Length - offset))) + "\"}";
            await client.SendAsync(Encoding.UTF8.GetBytes(append), WebSocketMessageType.Text, true, Ct);
        }
    }

    // Reads (recording every event) until one of the type arrives.
    private static async Task<JsonObject> NextAsync(ClientWebSocket client, List<JsonObject> events, string type)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        var buffer = new byte[1024 * 1024];
        while (true)
        {
            var length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await client.ReceiveAsync(buffer.AsMemory(length), timeout.Token);
                Assert.NotEqual(WebSocketMessageType.Close, result.MessageType);
                length += result.Count;
            }
            while (!result.EndOfMessage);

            var next = JsonNode.Parse(buffer.AsSpan(0, length))!.AsObject();
            events.Add(next);
            if (Type(next) == type)
            {
                return next;
            }
        }
    }

    private static string Type(JsonObject e) => e["type"]!.GetValue<string>();
}
