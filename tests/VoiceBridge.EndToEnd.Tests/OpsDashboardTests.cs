extern alias cli;

using System.Globalization;
using cli::VoiceBridge.Cli.Call;
using Microsoft.Playwright;
using VoiceBridge.Server.Calls;

namespace VoiceBridge.EndToEnd.Tests;

/// <summary>
/// The operations dashboard in a real headless Chromium (Debian's, driven by Playwright) against the real bridge with
/// the simulator upstream and the CLI's fake Twilio as callers: nobody gets in without a key, a viewer sees the calls
/// but cannot act, an operator watches a call's transcript grow and hangs it up, and the trail records that with the
/// operator key's id. A screenshot of the page is left in the artifacts directory.
/// </summary>
[Collection(ExternalClients.Name)]
public sealed class OpsDashboardTests
{
    private const string Chromium = "/usr/bin/chromium";
    private const string ViewerKey = "e2e-test-viewer-key-0123456789abcdef";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OpsPage_InHeadlessChromium_ShowsALivePhoneCall_ItsTranscriptGrows_AndAnOperatorHangsItUp()
    {
        Prerequisite.Require(File.Exists(Chromium), "Chromium (" + Chromium + ", Debian package chromium)");
        var work = Directory.CreateTempSubdirectory("voicebridge-ops-");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        void Lap(string what) => TestContext.Current.TestOutputHelper?.WriteLine($"{clock.ElapsedMilliseconds,6} ms  {what}");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var calls = new List<(FakeTwilioCall Call, Task<FakeTwilioCallResult> Run)>();
        using var http = new HttpClient();
        try
        {
            var bridgeStart = Task.Run(() => BridgeUnderTest.StartAsync(settings: [("Audit:ViewerKeys:0", ViewerKey), ("Upstream:TranscriptionModel", "gpt-4o-mini-transcribe")]), Ct);
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchPersistentContextAsync(Path.Combine(work.FullName, "profile"), new BrowserTypeLaunchPersistentContextOptions
            {
                ExecutablePath = Chromium,
                Headless = true,
                ChromiumSandbox = false,
                Args =
                [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                ],
                ViewportSize = new ViewportSize { Width = 1440, Height = 960 },
            });
            await using var bridge = await bridgeStart;
            Lap("chromium launched, bridge started");
            var page = browser.Pages.Count > 0 ? browser.Pages[0] : await browser.NewPageAsync();
            var console = new List<string>();
            page.Console += (_, message) => console.Add(message.Type + ": " + message.Text);
            page.PageError += (_, error) => console.Add("page error: " + error);

            // Three callers who keep talking (one utterance every 2.6 s) until someone hangs up.
            for (var i = 0; i < 3; i++)
            {
                var call = new FakeTwilioCall(new FakeTwilioCallOptions
                {
                    ServerUrl = bridge.BaseUri,
                    AuthToken = BridgeUnderTest.AuthToken,
                    From = "+1415555010" + i.ToString(CultureInfo.InvariantCulture),
                    CallerAudio = Signals.ToMuLaw([.. Enumerable.Range(0, 14).SelectMany(_ => Signals.Voice(seconds: 1.0, silenceAfterSeconds: 1.6))]),
                    Tail = TimeSpan.FromSeconds(30),
                    PlayoutDelay = TimeSpan.FromMilliseconds(200),
                    RecordHeard = false,
                }, http);
                calls.Add((call, call.RunAsync(stop.Token)));
            }

            var target = calls[0].Call.CallSid;

            // Not logged in: the page asks for a key, and the hub refuses a socket without a session.
            await page.GotoAsync(new Uri(bridge.BaseUri, "/ops").AbsoluteUri);
            await page.WaitForSelectorAsync("#login:not([hidden])");
            var anonymous = await page.EvaluateAsync<string>(
                "() => new Promise(done => { const ws = new WebSocket(`ws://${location.host}/ops/hub`); ws.onopen = () => done('open'); ws.onclose = e => done('closed ' + e.code); })");
            Assert.Equal("closed 1006", anonymous);
            await LoginAsync(page, "not-a-key-at-all-0123456789abcdef");
            await page.WaitForFunctionAsync("() => document.querySelector('#login-error').textContent.includes('not an operator or viewer key')");

            // A viewer sees the call, its controls are disabled, and the hub refuses the page's attempt to act.
            await LoginAsync(page, ViewerKey);
            await page.WaitForSelectorAsync($"#calls tr[data-call='{target}']", new PageWaitForSelectorOptions { Timeout = 20_000 });
            await page.ClickAsync($"#calls tr[data-call='{target}']");
            await page.WaitForSelectorAsync("#detail:not([hidden])");
            Assert.True(await page.IsDisabledAsync("#controls button[data-action='hangup']"));
            Assert.Contains("watch only", await page.InnerTextAsync("#controls-note"), StringComparison.Ordinal);
            var refused = await page.EvaluateAsync<string>("id => window.voiceBridgeOps.hub.invoke('Hangup', id).then(r => r.ok ? 'done' : r.status + ' ' + r.message, e => e.message)", target);
            Assert.StartsWith("403 A viewer key may only watch", refused, StringComparison.Ordinal);
            Lap("viewer refused");

            // A page of another origin in the same logged-in browser: the session cookie goes along (same host, so
            // same site, whatever the port), but the hub refuses the socket by its Origin; the page's own origin opens it.
            const string OpenHub = "url => new Promise(done => { const ws = new WebSocket(url); ws.onopen = () => { done('open'); ws.close(); }; ws.onclose = e => done('closed ' + e.code); })";
            var hubUrl = new UriBuilder(bridge.BaseUri) { Scheme = "ws", Path = "/ops/hub" }.Uri.AbsoluteUri;
            Assert.Equal("open", await page.EvaluateAsync<string>(OpenHub, hubUrl));
            var foreignOrigin = new UriBuilder(bridge.BaseUri) { Port = bridge.BaseUri.Port == 18999 ? 18998 : 18999, Path = "/" }.Uri;
            var foreign = await browser.NewPageAsync();
            await foreign.RouteAsync(foreignOrigin.AbsoluteUri + "**", route => route.FulfillAsync(new RouteFulfillOptions { ContentType = "text/html", Body = "<!doctype html><title>elsewhere</title>" }));
            await foreign.GotoAsync(foreignOrigin.AbsoluteUri);
            Assert.Equal("closed 1006", await foreign.EvaluateAsync<string>(OpenHub, hubUrl));
            await foreign.CloseAsync();
            Lap("foreign origin refused");

            // An operator watches the call's transcript grow.
            await page.ClickAsync("#logout");
            await page.WaitForSelectorAsync("#login:not([hidden])");
            await LoginAsync(page, BridgeUnderTest.AdminKey);
            await page.WaitForSelectorAsync($"#calls tr[data-call='{target}']");
            await page.ClickAsync($"#calls tr[data-call='{target}']");
            await page.WaitForFunctionAsync("() => document.querySelectorAll('#transcript li.assistant').length >= 1", null, new PageWaitForFunctionOptions { Timeout = 30_000 });
            var before = await page.EvalOnSelectorAllAsync<int>("#transcript li", "items => items.length");
            await page.WaitForFunctionAsync($"() => document.querySelectorAll('#transcript li').length >= {before + 2}", null, new PageWaitForFunctionOptions { Timeout = 30_000 });
            var after = await page.EvalOnSelectorAllAsync<int>("#transcript li", "items => items.length");
            await page.WaitForFunctionAsync($"() => document.querySelectorAll('#calls tbody tr').length === 3 && document.querySelectorAll('#calls .chip').length >= 3");
            Lap($"transcript grew from {before} to {after} turns");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Prerequisite.ArtifactsDirectory(), "ops-dashboard.png") });
            // The caller's words (the simulator's transcription) and its echo, as heard.
            Assert.StartsWith("[audio ", await page.InnerTextAsync("#transcript li.caller .text"), StringComparison.Ordinal);
            Assert.StartsWith("[echo ", await page.InnerTextAsync("#transcript li.assistant .text"), StringComparison.Ordinal);
            Assert.False(await page.IsDisabledAsync("#controls button[data-action='hangup']"));

            // Hang up, behind a confirmation.
            await page.ClickAsync("#controls button[data-action='hangup']");
            await page.WaitForSelectorAsync("#confirm[open]");
            await page.ClickAsync("#confirm-ok");
            var result = await calls[0].Run.WaitAsync(TimeSpan.FromSeconds(20), Ct);
            Assert.Equal(FakeTwilioCallOutcome.EndedByBridge, result.Outcome);
            await page.WaitForSelectorAsync($"#ended tr[data-call='{target}']");
            Assert.Contains("ended_by_bridge", await page.InnerTextAsync($"#ended tr[data-call='{target}']"), StringComparison.Ordinal);
            Assert.Contains("ended", await page.InnerTextAsync("#detail-meta"), StringComparison.Ordinal);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Prerequisite.ArtifactsDirectory(), "ops-dashboard-ended.png") });
            Lap("hung up from the page");

            // The trail has the operator's hang-up with the key's id, never the key.
            using var admin = bridge.AdminClient();
            var trail = await admin.GetStringAsync(new Uri($"calls/{target}/audit", UriKind.Relative), Ct);
            var control = trail.Split('\n').Single(line => line.Contains("\"bridge.control\"", StringComparison.Ordinal));
            Assert.Contains("\"hangup\"", control, StringComparison.Ordinal);
            Assert.Contains(AdminKeyId.Of(BridgeUnderTest.AdminKey), control, StringComparison.Ordinal);
            Assert.DoesNotContain(BridgeUnderTest.AdminKey, trail, StringComparison.Ordinal);

            var state = await page.EvaluateAsync<string>("() => JSON.stringify({ errors: window.voiceBridgeOps.errors, messages: window.voiceBridgeOps.messages })");
            Figures.Report(string.Create(CultureInfo.InvariantCulture,
                $"ops dashboard in headless Chromium: the opened call's transcript grew from {before} to {after} turns while watched; page received {state}; hang-up from the page ended the call ({result.Outcome}) in {clock.Elapsed.TotalSeconds:F1} s of test"));
            Assert.True(!state.Contains("\"errors\":[\"", StringComparison.Ordinal), "page errors: " + state + "\nconsole: " + string.Join('\n', console));

            // The other callers: hung up through the admin API, so the bridge ends cleanly.
            foreach (var (call, _) in calls.Skip(1))
            {
                using var response = await admin.PostAsync(new Uri($"calls/{call.CallSid}/hangup", UriKind.Relative), null, Ct);
            }

            await Task.WhenAll(calls.Select(c => c.Run)).WaitAsync(TimeSpan.FromSeconds(20), Ct);
        }
        finally
        {
            await stop.CancelAsync();
            foreach (var (call, run) in calls)
            {
                await run.ContinueWith(_ => { }, TaskScheduler.Default);
                call.Dispose();
            }

            work.Delete(recursive: true);
        }
    }

    private static async Task LoginAsync(IPage page, string key)
    {
        await page.FillAsync("#key", key);
        await page.ClickAsync("#login-button");
    }
}
