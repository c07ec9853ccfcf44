using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using VoiceBridge.Server.Calls;
using VoiceBridge.Server.Core;

namespace VoiceBridge.Server.Tests.Ops;

/// <summary>
/// The operations dashboard's hub, driven with the official .NET SignalR client against the real host on Kestrel: who
/// may connect, who may act, what a viewer sees of a call (redacted as the audit trail is) and how often.
/// </summary>
public sealed class OpsHubTests
{
    private const string CallSid = "CA0123456789abcdef0123456789abcdef";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Hub_RefusesConnectionsWithoutASession_AndFromAForeignOrigin()
    {
        using var host = new OpsTestHost();
        var cookies = await host.LoginAsync(OpsTestHost.OperatorKey);

        // The official client cannot open the hub without a session, nor with one from another origin's page.
        await using (var anonymous = OpsViewer.Build(host.Hub, cookies: null))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => anonymous.StartAsync(Ct));
        }

        await using (var foreign = OpsViewer.Build(host.Hub, cookies, origin: "http://evil.example"))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => foreign.StartAsync(Ct));
        }

        // What the refusals are, at the HTTP level (the negotiate route is behind the same gate).
        using (var bare = new HttpClient { BaseAddress = host.Address })
        using (var response = await bare.PostAsync("/ops/hub/negotiate?negotiateVersion=1", null, Ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using (var browser = OpsTestHost.Browser(cookies, host.Address))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/ops/hub/negotiate?negotiateVersion=1");
            request.Headers.Add("Origin", "http://evil.example");
            using var response = await browser.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        // A forged or tampered cookie is no session.
        var forged = new CookieContainer();
        forged.Add(host.Address, new Cookie("vb_ops", "1.o.key-0000000000000000.99999999999.AAAA", "/ops"));
        await using (var tampered = OpsViewer.Build(host.Hub, forged))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => tampered.StartAsync(Ct));
        }

        // The same session from the page's own origin connects and is told who it is.
        await using var viewer = await OpsViewer.ConnectAsync(host.Hub, cookies);
        var hello = await viewer.NextAsync("hello");
        Assert.Equal("operator", hello.GetProperty("role").GetString());
        Assert.Equal(AdminKeyId.Of(OpsTestHost.OperatorKey), hello.GetProperty("keyId").GetString());
        Assert.DoesNotContain(OpsTestHost.OperatorKey, hello.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_WithAWrongKey_IsRefused_AndThrottledLikeTheAdminApi()
    {
        using var host = new OpsTestHost(("Session:RateLimit:AdminFailureBurst", "3"));
        using var http = new HttpClient { BaseAddress = host.Address };
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await http.PostAsJsonAsync("/ops/login", new { key = "wrong-key-0123456789abcdef0123456789" }, Ct);
            statuses.Add(response.StatusCode);
            Assert.False(response.Headers.Contains("Set-Cookie"));
        }

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);

        // The budget is the admin API's: the next wrong admin key from this address is throttled too, even a right one.
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", OpsTestHost.OperatorKey);
        using (var admin = await http.GetAsync("/calls", Ct))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, admin.StatusCode);
        }

        // A login from another origin's page is refused before its key is looked at.
        using var foreign = new HttpRequestMessage(HttpMethod.Post, "/ops/login") { Content = JsonContent.Create(new { key = OpsTestHost.ViewerKey }) };
        foreign.Headers.Add("Origin", "http://evil.example");
        using var refused = await http.SendAsync(foreign, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task Login_FromThePagesOwnOrigin_WorksUnderTheNameADeploymentUses_NotOnlyLoopback()
    {
        // Demo page off (as in production): every host name is answered. The dashboard's page at its real name must
        // be able to log in; only another origin is refused.
        using var host = new OpsTestHost(("Browser:DemoPage", "false"));
        using var http = new HttpClient { BaseAddress = host.Address };
        var name = "voice.example.com:" + host.Address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        using var own = new HttpRequestMessage(HttpMethod.Post, "/ops/login") { Content = JsonContent.Create(new { key = OpsTestHost.ViewerKey }) };
        own.Headers.Host = name;
        own.Headers.Add("Origin", "http://" + name);
        own.Headers.Add("Sec-Fetch-Site", "same-origin");
        using var accepted = await http.SendAsync(own, Ct);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Contains(accepted.Headers.GetValues("Set-Cookie"), cookie => cookie.StartsWith("vb_ops=", StringComparison.Ordinal));

        using var other = new HttpRequestMessage(HttpMethod.Post, "/ops/login") { Content = JsonContent.Create(new { key = OpsTestHost.ViewerKey }) };
        other.Headers.Host = name;
        other.Headers.Add("Origin", "http://evil.example.com:" + host.Address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var refused = await http.SendAsync(other, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task Viewer_SeesTheCall_ButCannotActOnIt()
    {
        using var host = new OpsTestHost();
        var registry = host.Services.GetRequiredService<CallRegistry>();
        var cookies = await host.LoginAsync(OpsTestHost.ViewerKey);
        await using var viewer = await OpsViewer.ConnectAsync(host.Hub, cookies);
        Assert.Equal("viewer", (await viewer.NextAsync("hello")).GetProperty("role").GetString());
        using var phone = await host.CallAsync(CallSid, caller: "+14155550100");

        var row = await viewer.NextRowAsync(CallSid, r => r.GetProperty("state").GetString() == "live");
        Assert.Equal("twilio", row.GetProperty("transport").GetString());
        Assert.Equal("+141••••••00", row.GetProperty("caller").GetString());

        foreach (var act in new Func<Task<JsonElement>>[]
        {
            () => viewer.Connection.InvokeAsync<JsonElement>("Hangup", CallSid, Ct),
            () => viewer.Connection.InvokeAsync<JsonElement>("Say", CallSid, "Hello", Ct),
            () => viewer.Connection.InvokeAsync<JsonElement>("Instructions", CallSid, "Be brief.", Ct),
            () => viewer.Connection.InvokeAsync<JsonElement>("Transfer", CallSid, "+15005550006", Ct),
        })
        {
            var refused = await act();
            Assert.False(refused.GetProperty("ok").GetBoolean());
            Assert.Equal(403, refused.GetProperty("status").GetInt32());
            Assert.Contains("viewer key may only watch", refused.GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        // Nothing happened to the call, and nothing reached the upstream.
        Assert.Equal("live", registry.Find(CallSid)?.State);
        Assert.Equal("session.update", (await host.Upstream.NextControlAsync())["type"]!.GetValue<string>());
        Assert.False(host.Upstream.TryNext(out var sent), "the upstream got " + sent);

        // Nor may a viewer's cookie read the trail or the recording; the transcript it may.
        using var browser = OpsTestHost.Browser(cookies, host.Address);
        using (var trail = await browser.GetAsync($"/ops/calls/{CallSid}/audit", Ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, trail.StatusCode);
        }

        using (var recording = await browser.GetAsync($"/ops/calls/{CallSid}/recording", Ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, recording.StatusCode);
        }
    }

    [Fact]
    public async Task Operator_SeesTheHeardTranscriptRedactedAsTheTrail_TheTurnLatency_AndHangsUpAudited()
    {
        using var host = new OpsTestHost();
        var registry = host.Services.GetRequiredService<CallRegistry>();
        var cookies = await host.LoginAsync(OpsTestHost.OperatorKey);
        await using var viewer = await OpsViewer.ConnectAsync(host.Hub, cookies);
        using var phone = await host.CallAsync(CallSid);
        await viewer.NextRowAsync(CallSid, r => r.GetProperty("state").GetString() == "live");
        Assert.Equal("session.update", (await host.Upstream.NextControlAsync())["type"]!.GetValue<string>());
        await viewer.Connection.InvokeAsync("Watch", CallSid, Ct);

        // A turn: the caller reads a card number out, the assistant repeats it across two transcript deltas.
        var upstream = host.Upstream;
        upstream.Push("""{"type":"input_audio_buffer.speech_started","event_id":"e1","audio_start_ms":100,"item_id":"item_user"}""");
        upstream.Push("""{"type":"input_audio_buffer.speech_stopped","event_id":"e2","audio_end_ms":2000,"item_id":"item_user"}""");
        upstream.Push("""{"type":"input_audio_buffer.committed","event_id":"e3","previous_item_id":null,"item_id":"item_user"}""");
        upstream.Push("""{"type":"conversation.item.input_audio_transcription.completed","event_id":"e4","item_id":"item_user","content_index":0,"transcript":"My card is 4111 1111 1111 1111."}""");
        upstream.PushResponseCreated("resp_1");
        upstream.Push("""{"type":"response.output_item.added","event_id":"e5","response_id":"resp_1","output_index":0,"item":{"id":"item_a","object":"realtime.item","type":"message","role":"assistant","content":[]}}""");
        upstream.Push("""{"type":"response.output_audio_transcript.delta","event_id":"e6","response_id":"resp_1","item_id":"item_a","output_index":0,"content_index":0,"delta":"Noted: 4111 1111"}""");
        upstream.Push("""{"type":"response.output_audio_transcript.delta","event_id":"e7","response_id":"resp_1","item_id":"item_a","output_index":0,"content_index":0,"delta":" 1111 1111, thanks."}""");
        upstream.PushAudioDelta("resp_1", "item_a", new byte[4800]);
        upstream.Push("""{"type":"response.output_audio_transcript.done","event_id":"e8","response_id":"resp_1","item_id":"item_a","output_index":0,"content_index":0,"transcript":"Noted: 4111 1111 1111 1111, thanks."}""");
        upstream.PushResponseDone("resp_1");

        var row = await viewer.NextRowAsync(CallSid, r => r.GetProperty("turns").GetInt32() == 1);
        var latency = Assert.Single(row.GetProperty("latencies").EnumerateArray()).GetInt32();
        Assert.InRange(latency, 0, 10_000);
        await viewer.NextAsync("call", _ => viewer.Transcript(CallSid).Any(t => t.Role == "assistant" && t.Text.EndsWith("thanks.", StringComparison.Ordinal)));
        var live = viewer.Transcript(CallSid);
        Assert.Equal(("caller", "My card is [REDACTED CARD]."), (live[0].Role, live[0].Text));
        Assert.Equal(("assistant", "Noted: [REDACTED CARD], thanks."), (live[1].Role, live[1].Text));
        Assert.DoesNotContain(viewer.All, m => m.Message.GetRawText().Contains("4111", StringComparison.Ordinal));

        var result = await viewer.Connection.InvokeAsync<JsonElement>("Hangup", CallSid, Ct);
        Assert.True(result.GetProperty("ok").GetBoolean());
        Assert.Equal(202, result.GetProperty("status").GetInt32());
        await registry.WhenEmpty.WaitAsync(TimeSpan.FromSeconds(20), Ct);
        var ended = await viewer.NextRowAsync(CallSid, r => r.TryGetProperty("endReason", out _));
        Assert.Equal("ended_by_bridge", ended.GetProperty("endReason").GetString());
        Assert.Equal("ended", ended.GetProperty("state").GetString());

        // The trail has the hang-up with the operator key's id, and its transcript is the one the dashboard showed.
        using var admin = new HttpClient { BaseAddress = host.Address };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", OpsTestHost.OperatorKey);
        var trail = await admin.GetStringAsync($"/calls/{CallSid}/audit", Ct);
        var control = trail.Split('\n').Single(line => line.Contains("\"bridge.control\"", StringComparison.Ordinal));
        Assert.Contains("\"hangup\"", control, StringComparison.Ordinal);
        Assert.Contains(AdminKeyId.Of(OpsTestHost.OperatorKey), control, StringComparison.Ordinal);
        using var transcript = JsonDocument.Parse(await admin.GetStringAsync($"/calls/{CallSid}/transcript", Ct));
        var stored = transcript.RootElement.GetProperty("turns").EnumerateArray().Select(t => (t.GetProperty("role").GetString(), t.GetProperty("text").GetString())).ToList();
        Assert.Equal(live.Select(t => ((string?)t.Role, (string?)t.Text)).ToList(), stored);

        // The ended call's transcript is also readable from the page with the session cookie.
        using var browser = OpsTestHost.Browser(cookies, host.Address);
        using var fromPage = JsonDocument.Parse(await browser.GetStringAsync($"/ops/calls/{CallSid}/transcript", Ct));
        Assert.Equal(stored.Count, fromPage.RootElement.GetProperty("turns").GetArrayLength());
    }

    [Fact]
    public async Task ManyEventsOfOneCall_ReachAViewerCoalesced_ToAFewUpdatesPerSecond_EndingInTheLatestState()
    {
        const int Events = 400;
        using var host = new OpsTestHost(("Ops:UpdateIntervalMs", "250"));
        var cookies = await host.LoginAsync(OpsTestHost.ViewerKey);
        await using var viewer = await OpsViewer.ConnectAsync(host.Hub, cookies);
        using var phone = await host.CallAsync(CallSid);
        await viewer.NextRowAsync(CallSid, r => r.GetProperty("state").GetString() == "live");
        // The call's session is settled (its session.updated is queued before anything the test sends).
        Assert.Equal("session.update", (await host.Upstream.NextControlAsync())["type"]!.GetValue<string>());

        // Events arrive over about 2 s, each one changing the row (a dropped malformed upstream event).
        var clock = Stopwatch.StartNew();
        var from = DateTimeOffset.UtcNow;
        for (var i = 0; i < Events; i++)
        {
            host.Upstream.Push("{not json");
            if (i % 4 == 3)
            {
                await Task.Delay(20, Ct);
            }
        }

        await viewer.NextRowAsync(CallSid, r => r.GetProperty("drops").GetInt64() == Events);
        var elapsed = clock.Elapsed;
        var updates = viewer.All.Count(m => m.At >= from && m.Type == "calls" && !m.Message.GetProperty("keyframe").GetBoolean() && OpsViewer.Row(m.Message, CallSid) is not null);
        var allowed = (int)(elapsed / TimeSpan.FromMilliseconds(250)) + 3;
        TestContext.Current.TestOutputHelper?.WriteLine($"{Events} events over {elapsed.TotalMilliseconds:F0} ms → {updates} updates of the call (allowed {allowed})");
        Assert.InRange(updates, 2, allowed);
    }
}
