using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace VoiceBridge.EndToEnd.Tests;

/// <summary>
/// A real headless Chromium (Debian's, driven by Playwright) loads the demo page from the real bridge, talks into a
/// fake microphone fed from a WAV file, and hears the simulator's echo: audio, both transcripts and the first-audio
/// latency the page shows. A screenshot is left in the artifacts directory (<see cref="Prerequisite.ArtifactsDirectory"/>).
/// </summary>
[Collection(ExternalClients.Name)]
public sealed class BrowserDemoPageTests
{
    private const string Chromium = "/usr/bin/chromium";

    // Chromium's fake capture reads a PCM WAV and loops it: one utterance, then enough silence for the VAD's 500 ms
    // to end the turn and the ~1.2 s echo to play before the loop speaks again. 48 kHz is the rate Chromium's audio
    // capture runs at natively, so its own resampling is not in the path.
    private const int WavRate = 48000;

    [Fact]
    public async Task DemoPage_InHeadlessChromium_SpeaksATurnAndShowsTheReplyTranscriptsAndLatency()
    {
        var ct = TestContext.Current.CancellationToken;
        Prerequisite.Require(File.Exists(Chromium), "Chromium (" + Chromium + ", Debian package chromium)");
        var work = Directory.CreateTempSubdirectory("voicebridge-browser-");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        // Where the time goes, in the test output (measured: browser launch 5-15 s on the shared 2-core machine).
        void Lap(string what) => TestContext.Current.TestOutputHelper?.WriteLine($"{clock.ElapsedMilliseconds,6} ms  {what}");
        try
        {
            var wav = Path.Combine(work.FullName, "speech-48k.wav");
            await File.WriteAllBytesAsync(wav, SpeechFiles.Wav(Signals.Voice(seconds: 1.2, silenceAfterSeconds: 2.0, rate: WavRate), WavRate), ct);
            // The browser starts while the bridge does: the two slowest steps overlap.
            var bridgeStart = Task.Run(() => BridgeUnderTest.StartAsync(settings: ("Browser:DemoPage", "true")), ct);
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchPersistentContextAsync(Path.Combine(work.FullName, "profile"), new BrowserTypeLaunchPersistentContextOptions
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
                ],
                ViewportSize = new ViewportSize { Width = 900, Height = 900 },
            });
            await using var bridge = await bridgeStart;
            Lap("chromium launched");
            var page = browser.Pages.Count > 0 ? browser.Pages[0] : await browser.NewPageAsync();
            var console = new List<string>();
            page.Console += (_, message) => console.Add(message.Type + ": " + message.Text);
            page.PageError += (_, error) => console.Add("page error: " + error);

            await page.GotoAsync(bridge.BaseUri.AbsoluteUri);
            Lap("page loaded");
            await page.ClickAsync("#connect");
            try
            {
                // One whole turn: the reply's first audio played, both transcripts shown, and most of the echo heard.
                await page.WaitForFunctionAsync(
                    """
                    () => { const d = window.voiceBridgeDemo; return d.errors.length > 0 || (d.turns.some(t => t.latencyMs !== undefined)
                      && d.transcripts.user.some(t => t.text) && d.transcripts.assistant.some(t => t.text.startsWith('[echo')) && d.audio.msPlayed >= 1000); }
                    """,
                    null,
                    new PageWaitForFunctionOptions { Timeout = 25_000, PollingInterval = 100 });
            }
            finally
            {
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Prerequisite.ArtifactsDirectory(), "demo-page.png"), FullPage = true });
            }

            Lap("turn complete");
            var state = JsonNode.Parse(await page.EvaluateAsync<string>("JSON.stringify(window.voiceBridgeDemo)"))!.AsObject();
            var shownLatency = await page.InnerTextAsync("#latency-last");
            var turns = state["turns"]!.AsArray().Where(t => t!["latencyMs"] is not null).Select(t => (Latency: t!["latencyMs"]!.GetValue<double>(), FirstDelta: t["firstDeltaMs"]!.GetValue<double>())).ToList();
            var userText = await page.InnerTextAsync("#conversation li.user .text");
            var assistantText = await page.InnerTextAsync("#conversation li.assistant .text");
            var version = await BrowserVersionAsync(page);
            Figures.Report(string.Create(CultureInfo.InvariantCulture,
                $"demo page in headless Chromium ({version}, AudioContext {state["contextRate"]} Hz): first-audio latency per turn (speech_stopped → first reply sample out of the jitter buffer) {string.Join(", ", turns.Select(t => $"{t.Latency:F0} ms (first delta after {t.FirstDelta:F0} ms)"))}; page shows \"{shownLatency}\" last; {state["audio"]!["msPlayed"]!.GetValue<double>():F0} ms of reply played from {state["audio"]!["deltasReceived"]} deltas; you: \"{userText}\", assistant: \"{assistantText}\""));

            Assert.True(state["errors"]!.AsArray().Count == 0, "page errors: " + state["errors"]!.ToJsonString() + "\nconsole: " + string.Join('\n', console));
            Assert.Equal("live", state["state"]!.GetValue<string>());
            Assert.StartsWith("[audio ", userText, StringComparison.Ordinal);
            Assert.StartsWith("[echo ", assistantText, StringComparison.Ordinal);
            Assert.EndsWith(" ms", shownLatency, StringComparison.Ordinal);
            Assert.All(turns, t => Assert.True(t.Latency >= t.FirstDelta && t.FirstDelta > 0, $"latency {t.Latency} ms, first delta {t.FirstDelta} ms"));
            Assert.True(state["audio"]!["chunksSent"]!.GetValue<int>() > 0);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static Task<string> BrowserVersionAsync(IPage page) => page.EvaluateAsync<string>("navigator.userAgent.match(/Chrome\\/[0-9.]+/)?.[0] ?? navigator.userAgent");
}
