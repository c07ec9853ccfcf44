extern alias cli;

using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using cli::VoiceBridge.Cli.Simulator;
using VoiceBridge.Realtime.Audit;
using VoiceBridge.Realtime.Simulator;
using VoiceBridge.Server.Core;

namespace VoiceBridge.EndToEnd.Tests;

/// <summary>
/// A direct WebRTC call end to end, in two real headless Chromium pages: the demo page (the caller) speaks a WAV over
/// WebRTC to the simulator's model-side page (the model: Opus both ways, the oai-events data channel) and hears the
/// reply, while the bridge holds the call's sideband: it sees the turns, answers the model's tool call itself, audits
/// the call with its transcript, and ends it when an operator hangs up. The same page then talks relayed, so the two
/// first-audio latencies are measured on the same conversation (<see cref="Figures"/>).
/// </summary>
[Collection(ExternalClients.Name)]
public sealed class DirectCallEndToEndTests
{
    private const string Chromium = "/usr/bin/chromium";

    // Chromium's fake capture loops the WAV: one utterance, then silence long enough for the VAD to end the turn, the tool
    // call to go round and the echo to play before the loop speaks again.
    private const int WavRate = 48000;

    [Fact]
    public async Task WebRtcCall_InHeadlessChromium_IsHeardThroughTheModelSidePage_WhileTheBridgeHoldsTheControlPlane()
    {
        var ct = TestContext.Current.CancellationToken;
        Prerequisite.Require(File.Exists(Chromium), "Chromium (" + Chromium + ", Debian package chromium)");
        var work = Directory.CreateTempSubdirectory("voicebridge-direct-");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        void Lap(string what) => TestContext.Current.TestOutputHelper?.WriteLine($"{clock.ElapsedMilliseconds,6} ms  {what}");
        try
        {
            var wav = Path.Combine(work.FullName, "speech-48k.wav");
            await File.WriteAllBytesAsync(wav, SpeechFiles.Wav(Signals.Voice(seconds: 1.2, silenceAfterSeconds: 3.0, rate: WavRate), WavRate), ct);
            await using var tool = await ToolEndpoint.StartAsync();
            // The model asks for the order on the caller's third turn; the bridge must be the one that answers.
            var simulator = new SimulatorServer(
                new SimulatorOptions { Turns = [new SimulatorTurn { Turn = 3, FunctionCall = new SimulatorFunctionCall { Name = "lookup_order", Arguments = "{\"order_number\":\"48213\"}" } }] },
                TimeProvider.System);
            var bridgeStart = Task.Run(
                () => BridgeUnderTest.StartAsync(
                    simulator: simulator,
                    settings:
                    [
                        ("Browser:DemoPage", "true"),
                        ("Upstream:TranscriptionModel", "whisper-1"),
                        ("Tools:Http:lookup_order:Description", "Look up an order by number."),
                        ("Tools:Http:lookup_order:Endpoint", tool.Uri.AbsoluteUri),
                        ("Tools:Http:lookup_order:Parameters:type", "object"),
                        ("Tools:Http:lookup_order:Parameters:properties:order_number:type", "string"),
                    ]),
                ct);
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await LaunchAsync(playwright, work.FullName, wav);
            await using var bridge = await bridgeStart;
            Lap("bridge started, chromium launched");

            var model = await browser.NewPageAsync();
            var console = new List<string>();
            model.Console += (_, message) => console.Add("model " + message.Type + ": " + message.Text);
            await model.GotoAsync(new Uri(simulator.HttpUri, "/sim/peer.html").AbsoluteUri);
            await model.WaitForFunctionAsync("() => window.voiceBridgePeer.connected", null, new PageWaitForFunctionOptions { Timeout = 10_000, PollingInterval = 50 });
            var page = browser.Pages[0];
            page.Console += (_, message) => console.Add("caller " + message.Type + ": " + message.Text);
            page.PageError += (_, error) => console.Add("caller page error: " + error);
            await page.GotoAsync(bridge.BaseUri.AbsoluteUri);
            Lap("pages loaded");

            // Relayed first, two turns through the bridge's WebSocket: the same page and voice, for the comparison.
            await page.CheckAsync("input[name=transport][value=relayed]");
            await page.ClickAsync("#connect");
            await page.WaitForFunctionAsync(
                "() => { const d = window.voiceBridgeDemo; return d.errors.length > 0 || d.turns.filter(t => t.transport === 'relayed' && t.audibleMs !== undefined).length >= 2; }",
                null,
                new PageWaitForFunctionOptions { Timeout = 30_000, PollingInterval = 100 });
            Assert.True((await StateAsync(page))["errors"]!.AsArray().Count == 0, "page errors: " + (await StateAsync(page))["errors"]!.ToJsonString());
            await page.ClickAsync("#disconnect");
            await bridge.Services.GetRequiredService<CallRegistry>().WhenEmpty.WaitAsync(TimeSpan.FromSeconds(15), ct);
            Lap("two relayed turns heard");

            await page.CheckAsync("input[name=transport][value=direct]");
            await page.ClickAsync("#connect");
            try
            {
                // Three turns heard over WebRTC: two echoed at once, the third after the bridge answered the tool call.
                await page.WaitForFunctionAsync(
                    """
                    () => { const d = window.voiceBridgeDemo; return d.errors.length > 0 || d.turns.filter(t => t.transport === 'direct' && t.latencyMs !== undefined).length >= 3; }
                    """,
                    null,
                    new PageWaitForFunctionOptions { Timeout = 40_000, PollingInterval = 100 });
            }
            finally
            {
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Prerequisite.ArtifactsDirectory(), "demo-page-direct.png"), FullPage = true });
            }

            Lap("three direct turns heard");
            var direct = await StateAsync(page);
            Assert.True(direct["errors"]!.AsArray().Count == 0, "page errors: " + direct["errors"]!.ToJsonString() + "\n" + string.Join('\n', console));
            Assert.Equal("live", direct["state"]!.GetValue<string>());
            Assert.Contains(direct["transcripts"]!["assistant"]!.AsArray(), t => t!["text"]!.GetValue<string>().StartsWith("[echo ", StringComparison.Ordinal));
            var callId = direct["callId"]!.GetValue<string>();
            var peer = JsonNode.Parse(await model.EvaluateAsync<string>("JSON.stringify(window.voiceBridgePeer)"))!["calls"]![callId]!;
            Assert.Equal("connected", peer["pcState"]!.GetValue<string>());
            Assert.True(peer["bytesIn"]!.GetValue<long>() > 0 && peer["bytesOut"]!.GetValue<long>() > 0, "Opus both ways: " + peer.ToJsonString());
            var simulated = bridge.Simulator.Calls.Find(callId)!;
            Assert.True(simulated.AudioInBytes > 24_000 * 2, "the caller's voice reached the model: " + simulated.AudioInBytes + " bytes");

            using var admin = bridge.AdminClient();
            var listed = Assert.Single((await admin.GetFromJsonAsync<JsonArray>("/calls", ct))!);
            Assert.Equal("webrtc", listed!["transport"]!.GetValue<string>());

            using (var hangup = await admin.PostAsync(new Uri($"/calls/{callId}/hangup", UriKind.Relative), null, ct))
            {
                Assert.Equal(HttpStatusCode.Accepted, hangup.StatusCode);
            }

            Assert.Equal("hung up by the server", await simulated.Ended.WaitAsync(TimeSpan.FromSeconds(10), ct));
            await page.WaitForFunctionAsync("() => window.voiceBridgeDemo.state === 'closed'", null, new PageWaitForFunctionOptions { Timeout = 15_000, PollingInterval = 100 });
            await bridge.Services.GetRequiredService<CallRegistry>().WhenEmpty.WaitAsync(TimeSpan.FromSeconds(15), ct);
            Lap("operator hung up; the caller's page saw the call end");

            var trail = await admin.GetByteArrayAsync(new Uri($"/calls/{callId}/audit", UriKind.Relative), ct);
            Assert.Equal(AuditFileStatus.Complete, AuditVerifier.Verify(trail, VoiceBridge.Tests.Shared.TestAuditDirectory.Keys).Status);
            var text = Encoding.UTF8.GetString(trail);
            var records = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(line => JsonNode.Parse(line)!.AsObject()).ToList();
            var kinds = records.Select(r => r["dir"]?.GetValue<string>() + " " + r["type"]?.GetValue<string>()).ToHashSet();
            Assert.Contains("webrtc", text, StringComparison.Ordinal);
            // The sideband saw the turns; the bridge answered the tool (its function_call_output went up the sideband).
            Assert.Superset(new HashSet<string> { "upstream_in input_audio_buffer.speech_stopped", "upstream_in response.function_call_arguments.done", "upstream_out conversation.item.create", "upstream_in output_audio_buffer.started" }, kinds);
            Assert.Contains("\"function_call_output\"", text, StringComparison.Ordinal);
            Assert.Equal(1, tool.Requests);
            var transcript = (await admin.GetFromJsonAsync<JsonObject>($"/calls/{callId}/transcript", ct))!["turns"]!.AsArray();
            Assert.Contains(transcript, t => t!["role"]!.GetValue<string>() == "caller" && t["text"]!.GetValue<string>().StartsWith("[audio ", StringComparison.Ordinal));
            Assert.Contains(transcript, t => t!["role"]!.GetValue<string>() == "assistant" && t["text"]!.GetValue<string>().StartsWith("[echo ", StringComparison.Ordinal));

            var both = direct;
            var turns = both["turns"]!.AsArray().Select(t => t!.AsObject()).ToList();
            string Ms(JsonObject turn, string field) => turn[field] is { } value ? value.GetValue<double>().ToString("F0", CultureInfo.InvariantCulture) + " ms" : "–";
            string Per(string transport, string field) => string.Join(", ", turns.Where(t => t["transport"]!.GetValue<string>() == transport).Select(t => Ms(t, field)));
            var version = await page.EvaluateAsync<string>("navigator.userAgent.match(/Chrome\\/[0-9.]+/)?.[0] ?? navigator.userAgent");
            Figures.Report(string.Create(CultureInfo.InvariantCulture,
                $"demo page in headless Chromium ({version}), simulator's model-side page over loopback WebRTC, per turn from speech_stopped as the page gets it: first audible reply sample relayed {Per("relayed", "audibleMs")}, direct {Per("direct", "audibleMs")} (direct turn 3 waits for the bridge's tool call; the fake microphone loops, so a further turn may start before the hang-up); relayed first sample out of the jitter buffer {Per("relayed", "latencyMs")}; direct output_audio_buffer.started on the data channel {Per("direct", "firstDeltaMs")}"));
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task WithNoUpstreamConfigured_TheDemoPagesDirectMode_WorksOfflineOnTheInProcessSimulator()
    {
        var ct = TestContext.Current.CancellationToken;
        Prerequisite.Require(File.Exists(Chromium), "Chromium (" + Chromium + ", Debian package chromium)");
        var work = Directory.CreateTempSubdirectory("voicebridge-direct-offline-");
        try
        {
            var wav = Path.Combine(work.FullName, "speech-48k.wav");
            await File.WriteAllBytesAsync(wav, SpeechFiles.Wav(Signals.Voice(seconds: 1.2, silenceAfterSeconds: 2.5, rate: WavRate), WavRate), ct);
            // As `dotnet run` in Development with no key and no endpoint: the in-process simulator, whose model-side page
            // the bridge serves itself (Direct:SimulatorPeer) and the demo page loads in a hidden frame.
#pragma warning disable CA2000 // disposed below
            var factory = new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program>().WithWebHostBuilder(host =>
            {
                host.UseSetting("Browser:DemoPage", "true");
                host.UseSetting("Upstream:TranscriptionModel", "whisper-1");
            });
#pragma warning restore CA2000
            await using var _ = factory;
            factory.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
            factory.StartServer();
            var baseUri = new Uri(factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await LaunchAsync(playwright, work.FullName, wav);
            var page = browser.Pages[0];
            await page.GotoAsync(baseUri.AbsoluteUri);
            await page.CheckAsync("input[name=transport][value=direct]");
            await page.ClickAsync("#connect");
            try
            {
                await page.WaitForFunctionAsync(
                    "() => { const d = window.voiceBridgeDemo; return d.errors.length > 0 || (d.turns.some(t => t.transport === 'direct' && t.latencyMs !== undefined) && d.transcripts.assistant.some(t => t.text.startsWith('[echo'))); }",
                    null,
                    new PageWaitForFunctionOptions { Timeout = 30_000, PollingInterval = 100 });
            }
            finally
            {
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Prerequisite.ArtifactsDirectory(), "demo-page-direct-offline.png"), FullPage = true });
            }

            var state = await StateAsync(page);
            Assert.True(state["errors"]!.AsArray().Count == 0, "page errors: " + state["errors"]!.ToJsonString());
            var callId = state["callId"]!.GetValue<string>();
            var simulated = factory.Services.GetRequiredService<VoiceBridge.Realtime.Simulator.Calls.SimulatorCalls>().Find(callId)!;
            Assert.True(simulated.AudioInBytes > 0 && simulated.AudioOutBytes > 0, $"media both ways: in {simulated.AudioInBytes}, out {simulated.AudioOutBytes}");
            await page.ClickAsync("#disconnect");
            Assert.StartsWith("the caller left", await simulated.Ended.WaitAsync(TimeSpan.FromSeconds(15), ct), StringComparison.Ordinal);
            await factory.Services.GetRequiredService<CallRegistry>().WhenEmpty.WaitAsync(TimeSpan.FromSeconds(15), ct);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    internal static Task<IBrowserContext> LaunchAsync(IPlaywright playwright, string work, string wav) =>
        playwright.Chromium.LaunchPersistentContextAsync(Path.Combine(work, "profile"), new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            ChromiumSandbox = false,
            Args =
            [
                "--headless", "--no-sandbox", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                "--use-file-for-fake-audio-capture=" + wav, "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--autoplay-policy=no-user-gesture-required",
                // WebRTC between two pages on one machine: loopback candidates, real IPs instead of mDNS names.
                "--allow-loopback-in-peer-connection", "--disable-features=WebRtcHideLocalIpsWithMdns",
            ],
            ViewportSize = new ViewportSize { Width = 900, Height = 1000 },
        });

    private static async Task<JsonObject> StateAsync(IPage page) =>
        JsonNode.Parse(await page.EvaluateAsync<string>("JSON.stringify(window.voiceBridgeDemo)"))!.AsObject();

    /// <summary>The order service the bridge's <c>lookup_order</c> tool calls: a real HTTP endpoint on loopback.</summary>
    private sealed class ToolEndpoint : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _requests;

        private ToolEndpoint(WebApplication app) => _app = app;

        public Uri Uri { get; private set; } = null!;

        public int Requests => Volatile.Read(ref _requests);

        public static async Task<ToolEndpoint> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            var endpoint = new ToolEndpoint(app);
            app.Run(context =>
            {
                Interlocked.Increment(ref endpoint._requests);
                context.Response.ContentType = "application/json";
                return context.Response.WriteAsync("{\"order_number\":\"48213\",\"status\":\"shipped\"}", context.RequestAborted);
            });
            await app.StartAsync(TestContext.Current.CancellationToken);
            endpoint.Uri = new Uri(new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()), "orders");
            return endpoint;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
