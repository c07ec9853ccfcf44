using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Server.Core;

namespace VoiceBridge.Server.Tests.Sessions;

/// <summary>
/// Barge-in as the caller experiences it: what Twilio is told to drop and what the model is told was heard. The clock
/// stands still here (no playback time passes after an echo); BargeInPrecisionTests moves it.
/// </summary>
public sealed class BargeInTests
{
    // 100 ms of 24 kHz PCM16 = 2400 samples = 800 μ-law bytes at 8 kHz = five 20 ms frames.
    private static readonly byte[] s_delta100Ms = Tone24k(2400);

    private static byte[] Tone24k(int samples)
    {
        var bytes = new byte[samples * 2];
        for (var i = 0; i < samples; i++)
        {
            var value = (short)(8000 * Math.Sin(2 * Math.PI * 440 * i / 24000.0));
            bytes[2 * i] = (byte)value;
            bytes[(2 * i) + 1] = (byte)(value >> 8);
        }

        return bytes;
    }

    private static string Event(JsonNode node) => node["event"]!.GetValue<string>();

    private static string Type(JsonNode node) => node["type"]!.GetValue<string>();

    [Fact]
    public async Task NoClear_BeforeAnyPlayback()
    {
        await using var call = await TwilioCallHarness.StartedAsync(time: new FakeTimeProvider());

        call.Upstream.PushSpeechStarted();
        call.Upstream.PushResponseCreated("resp_1");
        call.Upstream.PushAudioDelta("resp_1", "item_1", s_delta100Ms);

        // The first thing Twilio hears about is the new audio: no clear was sent for the earlier speech.
        var first = await call.ReceiveAsync();
        Assert.Equal("media", Event(first!));
        var upstreamSaw = await call.SyncCallerLoopAsync();
        Assert.DoesNotContain("conversation.item.truncate", upstreamSaw);
    }

    [Fact]
    public async Task BargeIn_TruncatesAtLastAckedMark()
    {
        await using var call = await TwilioCallHarness.StartedAsync(time: new FakeTimeProvider());
        call.Upstream.PushResponseCreated("resp_1");
        for (var i = 0; i < 3; i++)
        {
            call.Upstream.PushAudioDelta("resp_1", "item_1", s_delta100Ms);
        }

        var (firstMark, mediaBefore) = await call.ReceiveUntilAsync("mark");
        Assert.Equal(5, mediaBefore.Count);
        Assert.All(mediaBefore, m => Assert.Equal(216, m["media"]!["payload"]!.GetValue<string>().Length));
        await call.ReceiveUntilAsync("mark");
        await call.ReceiveUntilAsync("mark");

        await call.SendMarkAsync(firstMark["mark"]!["name"]!.GetValue<string>());
        await call.SyncCallerLoopAsync();
        call.Upstream.PushSpeechStarted();

        var clear = await call.ReceiveAsync();
        Assert.Equal("clear", Event(clear!));
        Assert.Equal(TwilioCallHarness.StreamSid, clear!["streamSid"]!.GetValue<string>());
        var truncate = await call.Upstream.NextControlAsync();
        while (Type(truncate) != "conversation.item.truncate")
        {
            truncate = await call.Upstream.NextControlAsync();
        }

        Assert.Equal("item_1", truncate["item_id"]!.GetValue<string>());
        Assert.Equal(0, truncate["content_index"]!.GetValue<int>());
        Assert.Equal(100, truncate["audio_end_ms"]!.GetValue<int>());
    }

    [Fact]
    public async Task ItemInterruptedBeforeItsFirstDelta_IsNeverTruncated_AndItsAudioNeverPlays()
    {
        await using var call = await TwilioCallHarness.StartedAsync(time: new FakeTimeProvider());
        call.Upstream.PushResponseCreated("resp_1");
        call.Upstream.PushSpeechStarted();
        call.Upstream.PushAudioDelta("resp_1", "item_1", s_delta100Ms);
        call.Upstream.PushResponseCreated("resp_2");
        call.Upstream.PushAudioDelta("resp_2", "item_2", s_delta100Ms);

        var (_, mediaBefore) = await call.ReceiveUntilAsync("mark");

        // Only resp_2's five frames reached Twilio, with no clear ahead of them.
        Assert.Equal(5, mediaBefore.Count);
        Assert.All(mediaBefore, m => Assert.Equal("media", Event(m)));
        var upstreamSaw = await call.SyncCallerLoopAsync();
        Assert.DoesNotContain("conversation.item.truncate", upstreamSaw);
        Assert.Equal(1, call.Session.Counters[CallDrop.InterruptedAudio]);
    }

    [Fact]
    public async Task SeveralQueuedItems_OnlyThePlayingOneIsTruncated_AtWhatWasHeard()
    {
        await using var call = await TwilioCallHarness.StartedAsync(time: new FakeTimeProvider());
        call.Upstream.PushResponseCreated("resp_1");
        call.Upstream.PushAudioDelta("resp_1", "item_a", s_delta100Ms);
        call.Upstream.PushAudioDelta("resp_1", "item_a", s_delta100Ms);
        call.Upstream.PushAudioDelta("resp_1", "item_b", s_delta100Ms);
        call.Upstream.PushResponseDone("resp_1");
        var (a1, _) = await call.ReceiveUntilAsync("mark");
        await call.ReceiveUntilAsync("mark");
        await call.ReceiveUntilAsync("mark");

        await call.SendMarkAsync(a1["mark"]!["name"]!.GetValue<string>());
        await call.SyncCallerLoopAsync();
        call.Upstream.PushSpeechStarted();

        Assert.Equal("clear", Event((await call.ReceiveAsync())!));
        JsonNode truncate;
        do
        {
            truncate = await call.Upstream.NextControlAsync();
        }
        while (Type(truncate) != "conversation.item.truncate");

        Assert.Equal("item_a", truncate["item_id"]!.GetValue<string>());
        Assert.Equal(100, truncate["audio_end_ms"]!.GetValue<int>());
        var after = await call.SyncCallerLoopAsync();
        Assert.DoesNotContain("conversation.item.truncate", after);
    }

    [Fact]
    public async Task StaleMarksAfterAClear_AreIgnored()
    {
        await using var call = await TwilioCallHarness.StartedAsync(time: new FakeTimeProvider());
        call.Upstream.PushResponseCreated("resp_1");
        call.Upstream.PushAudioDelta("resp_1", "item_1", s_delta100Ms);
        call.Upstream.PushAudioDelta("resp_1", "item_1", s_delta100Ms);
        var (m1, _) = await call.ReceiveUntilAsync("mark");
        var (m2, _) = await call.ReceiveUntilAsync("mark");
        call.Upstream.PushSpeechStarted();
        Assert.Equal("clear", Event((await call.ReceiveAsync())!));

        // Twilio returns both pending marks after a clear: neither means the audio was heard.
        await call.SendMarkAsync(m1["mark"]!["name"]!.GetValue<string>());
        await call.SendMarkAsync(m2["mark"]!["name"]!.GetValue<string>());
        await call.SyncCallerLoopAsync();

        Assert.Equal(2, call.Session.Counters[CallDrop.ClearedMark]);
        Assert.Equal(0, call.Session.Counters[CallDrop.UnknownMark]);
        // A second barge-in finds nothing playing: no second clear.
        call.Upstream.PushSpeechStarted();
        call.Upstream.PushResponseCreated("resp_2");
        call.Upstream.PushAudioDelta("resp_2", "item_2", s_delta100Ms);
        Assert.Equal("media", Event((await call.ReceiveAsync())!));
    }

    [Fact]
    public async Task LateAudioForAnInterruptedItem_IsNeitherPlayedNorForwarded()
    {
        await using var call = await TwilioCallHarness.StartedAsync(time: new FakeTimeProvider());
        call.Upstream.PushResponseCreated("resp_1");
        call.Upstream.PushAudioDelta("resp_1", "item_1", s_delta100Ms);
        await call.ReceiveUntilAsync("mark");
        call.Upstream.PushSpeechStarted();
        Assert.Equal("clear", Event((await call.ReceiveAsync())!));

        call.Upstream.PushAudioDelta("resp_1", "item_1", s_delta100Ms);
        call.Upstream.PushAudioDelta("resp_1", "item_1", s_delta100Ms);
        call.Upstream.PushResponseCreated("resp_2");
        call.Upstream.PushAudioDelta("resp_2", "item_2", s_delta100Ms);

        var (_, before) = await call.ReceiveUntilAsync("mark");
        Assert.Equal(5, before.Count);
        Assert.Equal(2, call.Session.Counters[CallDrop.InterruptedAudio]);
    }

    [Fact]
    public async Task WithoutUpstreamInterruption_TheBridgeCancelsTheResponseItself()
    {
        var policy = new SessionPolicy { TurnDetection = new SessionPolicy().TurnDetection! with { InterruptResponse = false } };
        await using var call = await TwilioCallHarness.StartedAsync(policy, new FakeTimeProvider());
        call.Upstream.PushResponseCreated("resp_1");
        call.Upstream.PushSpeechStarted();

        JsonNode next;
        do
        {
            next = await call.Upstream.NextControlAsync();
        }
        while (Type(next) != "response.cancel");

        Assert.Equal("response.cancel", Type(next));
    }
}
