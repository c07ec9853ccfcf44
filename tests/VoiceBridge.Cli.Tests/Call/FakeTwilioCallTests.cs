using System.Text.Json;
using VoiceBridge.Cli.Call;

namespace VoiceBridge.Cli.Tests.Call;

public sealed class FakeTwilioCallTests
{
    private const string Token = "test-auth-token";

    [Fact]
    public async Task Call_SignsWebhookAndUpgrade_AndSpeaksTwiliosStreamProtocol()
    {
        await using var bridge = new ScriptedBridge(peer => peer.ReadStartAsync());
        await bridge.StartAsync();
        var speech = Enumerable.Repeat((byte)0x20, 1000).ToArray(); // 6.25 frames: the last is padded

        var result = await RunAsync(bridge, speech, TimeSpan.FromMilliseconds(100));

        Assert.Equal(FakeTwilioCallOutcome.Completed, result.Outcome);
        var voiceUrl = bridge.BaseUri.AbsoluteUri.TrimEnd('/') + "/twilio/voice";
        Assert.Equal(TwilioRequestSigner.Sign(Token, voiceUrl, bridge.WebhookForm), bridge.WebhookSignature);
        Assert.Equal(result.CallSid, bridge.WebhookForm["CallSid"]);
        Assert.Matches("^CA[0-9a-f]{32}$", result.CallSid);
        Assert.Equal(TwilioRequestSigner.Sign(Token, bridge.StreamUrl, []), bridge.UpgradeSignature);

        // Stream protocol as Twilio speaks it: start carries the TwiML parameter; numbers are strings.
        await bridge.ScriptDone.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        var peer = bridge.Peer!;
        await peer.Drained.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        var start = peer.Start;
        Assert.Equal("1", start.GetProperty("sequenceNumber").GetString());
        Assert.Equal("tok&1", start.GetProperty("start").GetProperty("customParameters").GetProperty("callToken").GetString());
        Assert.Equal(result.CallSid, start.GetProperty("start").GetProperty("callSid").GetString());
        Assert.Equal(8000, start.GetProperty("start").GetProperty("mediaFormat").GetProperty("sampleRate").GetInt32());
        var media = peer.Received.Where(m => Event(m) == "media").ToList();
        Assert.Equal(result.FramesSent, media.Count);
        Assert.Equal(12, media.Count); // 7 frames of speech + 5 of tail
        for (var i = 0; i < media.Count; i++)
        {
            Assert.Equal((i + 2).ToString(), media[i].GetProperty("sequenceNumber").GetString());
            Assert.Equal((i + 1).ToString(), media[i].GetProperty("media").GetProperty("chunk").GetString());
            Assert.Equal((i * 20).ToString(), media[i].GetProperty("media").GetProperty("timestamp").GetString());
        }

        var sent = media.SelectMany(m => Convert.FromBase64String(m.GetProperty("media").GetProperty("payload").GetString()!)).ToArray();
        Assert.Equal(speech, sent[..1000]);
        Assert.All(sent[1000..], b => Assert.Equal(0xFF, b));
        Assert.Equal("stop", Event(peer.Received[^1]));
    }

    // The fake plays one 20 ms period per media frame it sends, so "played" is measured on the frame clock: the
    // heard recording says in which period the bridge's audio started, the media chunk numbers say when the echo came.
    [Fact]
    public async Task Mark_IsEchoedOnlyAfterTheAudioBeforeItHasPlayed()
    {
        var lastChunkBeforeEcho = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var bridge = new ScriptedBridge(async peer =>
        {
            await peer.ReadStartAsync();
            await peer.SendMediaAsync(Enumerable.Repeat((byte)0x00, 800).ToArray()); // 100 ms = 5 periods
            await peer.SendMarkAsync("m1");
            var (name, chunk) = await NextMarkAsync(peer);
            Assert.Equal("m1", name);
            lastChunkBeforeEcho.TrySetResult(chunk);
        });
        await bridge.StartAsync();

        var result = await RunAsync(bridge, [], TimeSpan.FromMilliseconds(600));
        var chunk = await lastChunkBeforeEcho.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        var heard = result.Heard.ToArray();
        var firstPeriod = Array.IndexOf(heard, (byte)0x00) / 160;
        Assert.Equal(800, heard.Count(b => b == 0x00));
        Assert.Equal(Enumerable.Repeat((byte)0x00, 800), heard.Skip(firstPeriod * 160).Take(800));
        // Periods firstPeriod..firstPeriod+4 play the audio (their frames are chunks firstPeriod+1..firstPeriod+5);
        // the echo goes out at the start of the next period, before its frame.
        Assert.Equal(firstPeriod + 5, chunk);
        Assert.Equal(1, result.MarksEchoed);
    }

    [Fact]
    public async Task Clear_EchoesPendingMarksAtOnce_AndDropsQueuedAudio()
    {
        var lastChunkBeforeEchoes = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var bridge = new ScriptedBridge(async peer =>
        {
            await peer.ReadStartAsync();
            await peer.SendMediaAsync(Enumerable.Repeat((byte)0x00, 16000).ToArray()); // 2 s
            await peer.SendMarkAsync("m1");
            await peer.SendMediaAsync(Enumerable.Repeat((byte)0x00, 8000).ToArray());
            await peer.SendMarkAsync("m2");
            for (var frames = 0; frames < 5;)
            {
                var message = await peer.ReceiveAsync();
                Assert.NotEqual("mark", Event(message!.Value));
                frames += Event(message.Value) == "media" ? 1 : 0;
            }

            await peer.SendClearAsync();
            var (first, _) = await NextMarkAsync(peer);
            var (second, chunk) = await NextMarkAsync(peer);
            Assert.Equal(["m1", "m2"], [first, second]);
            lastChunkBeforeEchoes.TrySetResult(chunk);
        });
        await bridge.StartAsync();

        var result = await RunAsync(bridge, [], TimeSpan.FromMilliseconds(600));
        var chunk = await lastChunkBeforeEchoes.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        var heard = result.Heard.ToArray();
        var played = heard.Count(b => b == 0x00);
        var lastLoudPeriod = (Array.LastIndexOf(heard, (byte)0x00) / 160);
        Assert.InRange(played, 160, 20 * 160); // a few periods played before the clear, not the 3 s queued
        Assert.Equal(24000 - played, result.BytesCleared);
        Assert.Equal(1, result.Clears);
        Assert.Equal(2, result.MarksEchoed);
        // At once: both echoes left before the frame of the first period after the clear.
        Assert.InRange(chunk, lastLoudPeriod, lastLoudPeriod + 1);
    }

    // Heard is the playout timeline, Received the content: a reply sent in two bursts plays with a gap between them and
    // is cut at the hang-up, while Received holds every byte in arrival order (what the 50-call cross-talk test analyses).
    [Fact]
    public async Task Received_HoldsEveryPayloadInOrder_WhileHeardHasTheGapAndTheCut()
    {
        var first = Enumerable.Repeat((byte)0x10, 320).ToArray(); // 2 periods
        var second = Enumerable.Repeat((byte)0x20, 8000).ToArray(); // 1 s: more than the 600 ms call has left
        await using var bridge = new ScriptedBridge(async peer =>
        {
            await peer.ReadStartAsync();
            await peer.SendMediaAsync(first);
            await peer.SendMarkAsync("played");
            // The echo goes out at the start of the first period after the burst played: that period plays silence.
            await NextMarkAsync(peer);
            await peer.SendMediaAsync(second);
        });
        await bridge.StartAsync();

        var result = await RunAsync(bridge, [], TimeSpan.FromMilliseconds(600));

        Assert.Equal(first.Concat(second), result.Received.ToArray());
        var heard = result.Heard.ToArray();
        var start = Array.IndexOf(heard, (byte)0x10);
        var resumed = Array.IndexOf(heard, (byte)0x20);
        Assert.Equal(first, heard[start..(start + first.Length)]);
        Assert.True(resumed - (start + first.Length) >= 160, $"a gap of only {resumed - (start + first.Length)} bytes");
        Assert.All(heard[(start + first.Length)..resumed], b => Assert.Equal(0xFF, b));
        Assert.All(heard[resumed..], b => Assert.Equal(0x20, b)); // still playing when the call hung up
        Assert.InRange(heard.Length - resumed, 160, second.Length - 1);
        Assert.Equal(2, result.PlayoutStarts);
    }

    [Fact]
    public async Task UnreachableServer_IsReportedAsWebhookFailed()
    {
        var result = await RunAgainstAsync(new Uri("http://127.0.0.1:1"));

        Assert.Equal(FakeTwilioCallOutcome.WebhookFailed, result.Outcome);
        Assert.Equal(0, result.FramesSent);
    }

    private static string? Event(JsonElement message) => message.GetProperty("event").GetString();

    // Reads up to the next mark echo; returns its name and the chunk number of the last media frame before it.
    private static async Task<(string Name, int LastChunk)> NextMarkAsync(BridgePeer peer)
    {
        while (await peer.ReceiveAsync() is { } message)
        {
            if (Event(message) == "mark")
            {
                return (message.GetProperty("mark").GetProperty("name").GetString()!, peer.LastChunk);
            }
        }

        throw new InvalidOperationException("the caller closed before echoing a mark");
    }

    private static async Task<FakeTwilioCallResult> RunAsync(ScriptedBridge bridge, byte[] speech, TimeSpan tail)
    {
        using var http = new HttpClient();
        using var call = new FakeTwilioCall(new FakeTwilioCallOptions { ServerUrl = bridge.BaseUri, AuthToken = Token, CallerAudio = speech, Tail = tail }, http);
        return await call.RunAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
    }

    private static async Task<FakeTwilioCallResult> RunAgainstAsync(Uri server)
    {
        using var http = new HttpClient();
        using var call = new FakeTwilioCall(new FakeTwilioCallOptions { ServerUrl = server, AuthToken = Token, RequestTimeout = TimeSpan.FromSeconds(5) }, http);
        return await call.RunAsync(TestContext.Current.CancellationToken);
    }
}
