using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Server.Audit;
using VoiceBridge.Server.Twilio;
using VoiceBridge.Server.Tests.Audit;

namespace VoiceBridge.Server.Tests.Sessions;

/// <summary>
/// Barge-in precision on a whole phone call: the session over a real WebSocket, a fake clock, and the test playing
/// Twilio — it plays what it receives in real time (<see cref="TwilioPlayer"/>) and echoes each mark when playback
/// reaches it. Replies of four deltas of 100 ms, 500 ms or 2 s arrive four times faster than they play; the caller
/// talks over each at three points. <c>audio_end_ms</c> must be within ±20 ms of what had played when the clear went
/// out, and the heard transcript must be cut there.
/// </summary>
public sealed class BargeInCallPrecisionTests
{
    private const int DeltasPerReply = 4;
    private const double WordMs = 20;

    private static readonly int[] s_deltaSizes = [100, 500, 2000];

    // Where the caller speaks, in deltas from the reply's start (plus a few ms off the 20 ms grid): before the first
    // echo, and twice after. All four deltas have arrived by then, so the transcript's text covers the audio sent.
    private static readonly double[] s_bargeInPoints = [0.8, 1.6, 2.9];

    [Theory]
    [InlineData(1, false, "(a) a mark every frame")]
    [InlineData(0, true, "(b) interpolated, a mark per delta")]
    public async Task PhoneCall_TruncatesWithin20MsOfWhatWasHeard_AndTheHeardTranscriptIsCutThere(int markEveryFrames, bool interpolate, string approach)
    {
        var time = new FakeTimeProvider();
        await using var pipeline = new AuditPipeline();
        await pipeline.StartAsync();
        pipeline.Options.Record = false;
        var recorder = new CallRecorder(pipeline.Trail, pipeline.Options, time, NullLogger.Instance, "twilio", "pcm24k");
        var playback = new PlaybackSettings { MarkEveryFrames = markEveryFrames, Interpolate = interpolate };
        await using var call = await TwilioCallHarness.StartedAsync(time: time, audit: recorder, playback: playback);
        var clock = new Clock(time);
        var turn = 0;
        foreach (var deltaMs in s_deltaSizes)
        {
            var errors = new List<double>();
            var twilio = new TwilioPlayer();
            foreach (var point in s_bargeInPoints)
            {
                turn++;
                var (item, heard, truncatedAt) = await ReplyWithBargeInAsync(call, clock, twilio, turn, deltaMs, (point * deltaMs) + 3.3);
                errors.Add(truncatedAt - heard);

                // The transcript as heard: cut at audio_end_ms, each word of the reply being 20 ms of its audio.
                var cut = Assert.Single(call.Session.Transcript.Turns(), t => t.ItemId == item);
                Assert.Equal(truncatedAt, cut.HeardMs);
                var heardWords = cut.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
                Assert.InRange(heardWords * WordMs, heard - 30, heard + 30);
                Assert.Equal(Words(DeltasPerReply * deltaMs), (cut.Text + " " + cut.NeverHeard).Trim());
            }

            Figures.Report("bargein", string.Create(CultureInfo.InvariantCulture,
                $"barge-in on a phone call, {approach}, {deltaMs} ms deltas: audio_end_ms minus heard {string.Join(", ", errors.Select(e => e.ToString("F1", CultureInfo.InvariantCulture)))} ms; {twilio.MediaMessages} media + {twilio.MarkMessages} marks sent to Twilio"));
            Assert.All(errors, e => Assert.InRange(e, -20, 20));
        }
    }

    // One reply, interrupted at `bargeInAfterMs` from its first delta. Returns its item, what the caller had heard when
    // the clear went out, and the truncation point the upstream was sent.
    private static async Task<(string Item, double HeardMs, int TruncatedAtMs)> ReplyWithBargeInAsync(
        TwilioCallHarness call, Clock clock, TwilioPlayer twilio, int turn, int deltaMs, double bargeInAfterMs)
    {
        var responseId = "resp_" + turn.ToString(CultureInfo.InvariantCulture);
        var itemId = "item_" + turn.ToString(CultureInfo.InvariantCulture);
        var delta = Tone24k(deltaMs * 24);
        var start = clock.NowMs;
        var bargeInAt = start + bargeInAfterMs;
        call.Upstream.PushResponseCreated(responseId);
        call.Upstream.Push(TranscriptDone(responseId, itemId, Words(DeltasPerReply * deltaMs)));
        var pushed = 0;
        while (true)
        {
            var deltaAt = pushed < DeltasPerReply ? start + (pushed * deltaMs / 4.0) : double.PositiveInfinity;
            var echoAt = twilio.NextEchoAt ?? double.PositiveInfinity;
            var next = Math.Min(deltaAt, echoAt);
            if (next > bargeInAt)
            {
                break;
            }

            clock.AdvanceTo(next);
            if (echoAt <= deltaAt)
            {
                while (twilio.NextEchoAt <= clock.NowMs)
                {
                    await call.SendMarkAsync(twilio.TakeEcho());
                }

                // The echo is handled at this instant of the fake clock, before it moves on.
                await call.SyncCallerLoopAsync();
                continue;
            }

            call.Upstream.PushAudioDelta(responseId, itemId, delta);
            await ReceiveDeltaAsync(call, twilio, clock.NowMs, deltaMs);
            pushed++;
        }

        clock.AdvanceTo(bargeInAt);
        var heard = twilio.HeardMs(bargeInAt);
        call.Upstream.PushSpeechStarted();
        var (_, before) = await call.ReceiveUntilAsync("clear");
        Assert.Empty(before);
        JsonNode truncate;
        do
        {
            truncate = await call.Upstream.NextControlAsync();
        }
        while (truncate["type"]!.GetValue<string>() != "conversation.item.truncate");

        Assert.Equal(itemId, truncate["item_id"]!.GetValue<string>());

        // Twilio hands back every pending mark after a clear; the next reply starts from silence.
        foreach (var returned in twilio.Clear(bargeInAt))
        {
            await call.SendMarkAsync(returned);
        }

        await call.SyncCallerLoopAsync();
        return (itemId, heard, truncate["audio_end_ms"]!.GetValue<int>());
    }

    // Reads what the session sent Twilio for one delta: its frames, with the marks between and after them.
    private static async Task ReceiveDeltaAsync(TwilioCallHarness call, TwilioPlayer twilio, double nowMs, int deltaMs)
    {
        var frames = 0;
        var lastWasMark = false;
        while (frames < deltaMs / 20 || !lastWasMark)
        {
            var message = (await call.ReceiveAsync())!;
            lastWasMark = message["event"]!.GetValue<string>() == "mark";
            if (lastWasMark)
            {
                twilio.Mark(nowMs, message["mark"]!["name"]!.GetValue<string>());
            }
            else
            {
                Assert.Equal("media", message["event"]!.GetValue<string>());
                twilio.Media(nowMs, Convert.FromBase64String(message["media"]!["payload"]!.GetValue<string>()).Length / 8.0);
                frames++;
            }
        }
    }

    // One four-character word per 20 ms of audio: "w000 w001 …".
    private static string Words(int audioMs) =>
        string.Join(' ', Enumerable.Range(0, (int)(audioMs / WordMs)).Select(i => "w" + (i % 1000).ToString("D3", CultureInfo.InvariantCulture)));

    private static string TranscriptDone(string responseId, string itemId, string text) =>
        $$$"""{"type":"response.output_audio_transcript.done","event_id":"e","response_id":"{{{responseId}}}","item_id":"{{{itemId}}}","output_index":0,"content_index":0,"transcript":"{{{text}}}"}""";

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

    // The fake clock in milliseconds since the test began.
    private sealed class Clock(FakeTimeProvider time)
    {
        public double NowMs { get; private set; }

        public void AdvanceTo(double ms)
        {
            if (ms > NowMs)
            {
                time.Advance(TimeSpan.FromMilliseconds(ms - NowMs));
                NowMs = ms;
            }
        }
    }
}
