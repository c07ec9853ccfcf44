using System.Text.Json.Nodes;
using VoiceBridge.Realtime.Transport;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Tests.Browser;
using VoiceBridge.Server.Tests.Sessions;

namespace VoiceBridge.Server.Tests.Parity;

/// <summary>
/// A lost upstream mid-call on a browser call, as on a phone call (<see cref="ReconnectTests"/>): a new session configured
/// with the call's session — the client's accepted changes included — re-seeded with the conversation as heard, and the
/// client sees no more of it than a cut response ending.
/// </summary>
public sealed class BrowserReconnectTests
{
    private const string ServerInstructions = "SERVER-ONLY-INSTRUCTIONS";
    private static readonly UpstreamReconnect Quick = new() { Attempts = 3, Backoff = TimeSpan.FromMilliseconds(10) };

    private static async Task<BrowserCallHarness> StartAsync(UpstreamSequence connector, ScriptedUpstream first)
    {
        var call = await BrowserCallHarness.CreateAsync(new SessionPolicy { Instructions = ServerInstructions }, upstream: first, connector: connector, reconnect: Quick);
        Assert.Equal("session.update", (await first.NextAsync())["type"]!.GetValue<string>());
        await call.NextAsync("session.created");
        return call;
    }

    // The caller asked, the assistant started answering (and was heard: nothing truncated it).
    private static void SayOpeningHours(ScriptedUpstream upstream)
    {
        upstream.Push("""{"type":"conversation.item.input_audio_transcription.completed","event_id":"e","item_id":"item_u1","content_index":0,"transcript":"When do you open?"}""");
        upstream.PushResponseCreated("resp_1");
        upstream.Push("""{"type":"response.output_item.added","event_id":"e","response_id":"resp_1","output_index":0,"item":{"id":"item_a1","object":"realtime.item","type":"message","role":"assistant","status":"in_progress","content":[]}}""");
        upstream.PushAudioDelta("resp_1", "item_a1", new byte[4800]);
        upstream.Push("""{"type":"response.output_audio_transcript.done","event_id":"e","response_id":"resp_1","item_id":"item_a1","output_index":0,"content_index":0,"transcript":"We open at nine."}""");
    }

    [Fact]
    public async Task UpstreamClosedMidAnswer_NewSessionGetsTheClientsSessionAndTheReplay_TheClientSeesOnlyTheCutResponseEnd()
    {
        var first = new ScriptedUpstream();
        var second = new ScriptedUpstream();
        var connector = new UpstreamSequence(first, second);
        await using var call = await StartAsync(connector, first);

        // The client changes its voice (Browser:ClientMayChange allows it by default) and tries the instructions (refused).
        await call.SendAsync("""{"type":"session.update","event_id":"evt_voice","session":{"type":"realtime","instructions":"CLIENT-INSTRUCTIONS","audio":{"output":{"voice":"cedar"}}}}""");
        var accepted = await first.NextControlAsync();
        Assert.Equal("cedar", accepted["session"]!["audio"]!["output"]!["voice"]!.GetValue<string>());
        await call.NextAsync("session.updated");
        SayOpeningHours(first);
        await call.NextAsync("response.output_audio_transcript.done");

        first.PushEnd(new UpstreamEnd(UpstreamEndReason.ClosedByPeer, "going away"));

        // The new session: the call's session with the client's accepted change, then the conversation as heard.
        var update = await second.NextControlAsync();
        Assert.Equal("session.update", update["type"]!.GetValue<string>());
        Assert.Equal("cedar", update["session"]!["audio"]!["output"]!["voice"]!.GetValue<string>());
        Assert.Equal(ServerInstructions, update["session"]!["instructions"]!.GetValue<string>());
        Assert.DoesNotContain("CLIENT-INSTRUCTIONS", update.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(24000, update["session"]!["audio"]!["output"]!["format"]!["rate"]!.GetValue<int>());
        var user = await second.NextControlAsync();
        var assistant = await second.NextControlAsync();
        var respond = await second.NextControlAsync();
        Assert.Equal("item_u1", user["item"]!["id"]!.GetValue<string>());
        Assert.Equal("When do you open?", user["item"]!["content"]![0]!["text"]!.GetValue<string>());
        Assert.Equal("item_a1", assistant["item"]!["id"]!.GetValue<string>());
        Assert.Equal("We open at nine.", assistant["item"]!["content"]![0]!["text"]!.GetValue<string>());
        Assert.Equal("response.create", respond["type"]!.GetValue<string>());

        // The new session greets and answers its setup as a real upstream does; then the assistant goes on.
        second.Push("""{"type":"session.created","event_id":"e2","session":{"type":"realtime","instructions":"defaults"}}""");
        AnswerReplay(second, user, assistant);
        second.PushResponseCreated("resp_2");
        second.PushAudioDelta("resp_2", "item_a2", new byte[4800]);
        second.PushResponseDone("resp_2");
        var delta = await call.NextAsync("response.output_audio.delta");

        // What the client saw between its first answer and the new one: only the cut response's end.
        var since = call.Received.SkipWhile(e => Type(e) != "response.output_audio_transcript.done").Skip(1).TakeWhile(e => e != delta).ToList();
        var cut = Assert.Single(since, e => Type(e) == "response.done");
        Assert.Equal("resp_1", cut["response"]!["id"]!.GetValue<string>());
        Assert.Equal("cancelled", cut["response"]!["status"]!.GetValue<string>());
        Assert.Equal(["response.done", "response.created"], since.Select(Type));
        Assert.Equal("item_a2", delta["item_id"]!.GetValue<string>());
        Assert.Single(call.Received, e => Type(e) == "session.created");
        Assert.Equal(2, connector.Connects);
        Assert.False(call.Run.IsCompleted);

        // And the call goes on: the client's events reach the new session.
        await call.SendAsync("""{"type":"response.create","event_id":"evt_more"}""");
        Assert.Equal("response.create", (await second.NextControlAsync())["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task UpstreamThatNeverComesBack_EndsTheBrowserCallWithUpstreamClosed_1011_AndAnErrorEvent()
    {
        var first = new ScriptedUpstream();
        var connector = new UpstreamSequence(first);
        await using var call = await StartAsync(connector, first);

        first.PushEnd(new UpstreamEnd(UpstreamEndReason.ClosedByPeer, "going away"));

        Assert.Equal(CallEndReason.UpstreamClosed, await call.EndAsync());
        Assert.Equal(1 + Quick.Attempts, connector.Connects);
        Assert.Equal(System.Net.WebSockets.WebSocketCloseStatus.InternalServerError, call.CloseStatus);
        var error = Assert.Single(call.Received, e => Type(e) == "error");
        Assert.Equal("upstream_unavailable", error["error"]!["code"]!.GetValue<string>());
    }

    // A real upstream answers each conversation.item.create with conversation.item.added and .done.
    private static void AnswerReplay(ScriptedUpstream upstream, params JsonNode[] creates)
    {
        string? previous = null;
        foreach (var create in creates)
        {
            var item = create["item"]!.DeepClone().AsObject();
            item["object"] = "realtime.item";
            item["status"] = "completed";
            var prior = previous is null ? "null" : "\"" + previous + "\"";
            upstream.Push($$"""{"type":"conversation.item.added","event_id":"e","previous_item_id":{{prior}},"item":{{item.ToJsonString()}}}""");
            upstream.Push($$"""{"type":"conversation.item.done","event_id":"e","previous_item_id":{{prior}},"item":{{item.ToJsonString()}}}""");
            previous = item["id"]!.GetValue<string>();
        }
    }

    private static string Type(JsonObject e) => e["type"]!.GetValue<string>();
}
