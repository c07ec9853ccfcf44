using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using VoiceBridge.Realtime.Transport;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Tests.Sessions;

namespace VoiceBridge.Server.Tests.Fuzzing;

/// <summary>
/// Mutated Twilio messages from the caller and mutated Realtime events from the upstream, thrown at a live call
/// while a second call runs beside it: the fuzzed call never crashes and still works afterwards, everything it sends
/// Twilio is a well-formed media/mark/clear message, the other call is untouched, and no pooled frame leaks.
/// </summary>
[Collection(nameof(PooledBufferAccounting))]
public sealed class LiveSessionFuzzTests
{
    private static readonly byte[][] UpstreamSeeds =
    [
        .. new[]
        {
            """{"type":"response.created","event_id":"e","response":{"id":"resp_1","object":"realtime.response","status":"in_progress","output":[]}}""",
            """{"type":"response.output_audio.delta","event_id":"e","response_id":"resp_1","item_id":"item_1","output_index":0,"content_index":0,"delta":"AAABAAIAAwAEAAUABgAHAAgACQAKAAsADAANAA4ADwA="}""",
            """{"type":"response.output_audio.done","event_id":"e","response_id":"resp_1","item_id":"item_1","output_index":0,"content_index":0}""",
            """{"type":"response.done","event_id":"e","response":{"id":"resp_1","object":"realtime.response","status":"completed","output":[]}}""",
            """{"type":"input_audio_buffer.speech_started","event_id":"e","audio_start_ms":1000,"item_id":"item_user"}""",
            """{"type":"error","event_id":"e","error":{"type":"invalid_request_error","code":"invalid_value","message":"x"}}""",
            """{"type":"response.output_audio_transcript.delta","event_id":"e","response_id":"resp_1","item_id":"item_1","output_index":0,"content_index":0,"delta":"Hi"}""",
        }.Select(Encoding.UTF8.GetBytes),
    ];

    private static readonly string[] ToTwilioEvents = ["media", "mark", "clear"];

    [Fact]
    public async Task MutatedMessagesOnBothLegs_NeverBreakTheCall_NorTheCallBesideIt()
    {
        var framesBefore = RealtimeMessage.Outstanding;
        var caller = MessageMutations.Of(MessageMutations.FixtureMessages(withStop: false));
        var upstream = MessageMutations.Of(UpstreamSeeds);

        // Four calls of up to 40 messages per leg: a few hundred inputs per run keeps the suite fast.
        await Gen.Select(caller.Array[10, 40], upstream.Array[10, 40]).SampleAsync(FuzzOneCallAsync, iter: 4, threads: 1);

        Assert.Equal(framesBefore, RealtimeMessage.Outstanding);
    }

    private static async Task FuzzOneCallAsync(byte[][] fromCaller, byte[][] fromUpstream)
    {
        await using var fuzzed = await TwilioCallHarness.StartedAsync();
        await using var beside = await TwilioCallHarness.StartedAsync();
        var sent = ReadAllAsync(fuzzed);

        for (var i = 0; i < Math.Max(fromCaller.Length, fromUpstream.Length); i++)
        {
            if (i < fromCaller.Length)
            {
                try
                {
                    // Bytes that are not UTF-8 go as a binary frame: in a text frame the WebSocket layer itself would
                    // fail the connection (RFC 6455 §8.1), before any of our code sees them.
                    var kind = System.Text.Unicode.Utf8.IsValid(fromCaller[i]) ? System.Net.WebSockets.WebSocketMessageType.Text : System.Net.WebSockets.WebSocketMessageType.Binary;
                    await fuzzed.Twilio.SendAsync(fromCaller[i], kind, true, TestContext.Current.CancellationToken);
                }
                catch (System.Net.WebSockets.WebSocketException)
                {
                    Assert.Fail($"the fuzzed call ended at caller message {i} ({Encoding.UTF8.GetString(fromCaller[i])}): {await fuzzed.Run.WaitAsync(TimeSpan.FromSeconds(30))}");
                }
            }

            if (i < fromUpstream.Length)
            {
                fuzzed.Upstream.Push(Encoding.UTF8.GetString(fromUpstream[i]));
            }
        }

        // The call beside it works as if nothing happened: its audio goes up, its reply comes down.
        await beside.SendMediaAsync(new byte[160]);
        Assert.Equal("input_audio_buffer.append", (await beside.Upstream.NextAsync())["type"]!.GetValue<string>());
        beside.Upstream.PushResponseCreated("resp_b");
        beside.Upstream.PushAudioDelta("resp_b", "item_b", new byte[960]);
        var (media, _) = await beside.ReceiveUntilAsync("media");
        Assert.Equal(TwilioCallHarness.StreamSid, media["streamSid"]!.GetValue<string>());

        // The fuzzed call is still live and still relays: a key press reaches its upstream (after all that came before).
        try
        {
            await SyncAsync(fuzzed);
        }
        catch (System.Net.WebSockets.WebSocketException)
        {
            Assert.Fail($"the fuzzed call ended: {await fuzzed.Run.WaitAsync(TimeSpan.FromSeconds(30))} ({fuzzed.Session.Counters})");
        }

        Assert.False(fuzzed.Run.IsCompleted, "the fuzzed call ended");

        await fuzzed.SendStopAsync();
        var messages = await sent;
        Assert.Equal(CallEndReason.CallerHungUp, await fuzzed.Run.WaitAsync(TimeSpan.FromSeconds(30)));
        foreach (var message in messages)
        {
            Assert.Contains(message["event"]!.GetValue<string>(), ToTwilioEvents);
            Assert.Equal(TwilioCallHarness.StreamSid, message["streamSid"]!.GetValue<string>());
        }

        Assert.False(beside.Run.IsCompleted, "the call beside the fuzzed one ended");
    }

    // A key press only the test sends: the first conversation item that names it follows everything sent before it.
    private static async Task SyncAsync(TwilioCallHarness call)
    {
        await call.SendDtmfAsync("#");
        while (true)
        {
            var next = await call.Upstream.NextAsync();
            if (next["type"]!.GetValue<string>() == "conversation.item.create" && next.ToJsonString().Contains("key #", StringComparison.Ordinal))
            {
                return;
            }
        }
    }

    // Everything the bridge sends the fuzzed call's Twilio, up to the close.
    private static async Task<List<JsonNode>> ReadAllAsync(TwilioCallHarness call)
    {
        var messages = new List<JsonNode>();
        while (await call.ReceiveAsync() is { } message)
        {
            messages.Add(message);
        }

        return messages;
    }
}
