namespace VoiceBridge.EndToEnd.Tests;

/// <summary>
/// The measures behind <see cref="TwilioCallEndToEndTests.FiftySimultaneousCalls_EachCallerHearsOnlyItsOwnVoice"/>:
/// what they read for a caller's own reply, for the same reply on a player's timeline that ran dry and was cut at the
/// hang-up (what made that test fail under CPU load), and for a reply carrying one 20 ms frame of another caller.
/// </summary>
public sealed class SignalsTests
{
    // Two adjacent callers of the 50-call test (300 + 37·i Hz) and the farthest one.
    private const double Own = 1225;
    private const double Neighbour = 1262;
    private const double Farthest = 300;
    private const int Frame = 160;

    private static readonly double[] Others = [.. Enumerable.Range(0, 50).Select(i => 300.0 + (37 * i)).Where(f => f != Own)];

    [Fact]
    public void OwnReply_ReadsNoCrossTalk_AndEveryFrameIsTheOwnTone()
    {
        var reply = Reply(Own);

        var (crossTalk, _) = Signals.CrossTalk(reply, Own, Others);
        var (frameDb, _) = Signals.WorstForeignFrame(reply, Own);

        Report($"own reply: cross-talk {crossTalk:F1} dB, worst frame {frameDb:F1} dB");
        Assert.True(crossTalk < -60, $"cross-talk {crossTalk:F1} dB");
        Assert.True(frameDb < -25, $"worst frame {frameDb:F1} dB");
    }

    // The mechanism of the failure: a reply that arrived in bursts plays 600 ms, stops for 800 ms (the queue ran dry, then
    // the playout delay), plays 100 ms more and is cut by the hang-up. Nothing but the caller's own tone was played, yet
    // over the timeline the nearest caller's frequency reads above the -40 dB limit; over the content it does not.
    [Fact]
    public void OwnReplyInterruptedByThePlayer_ReadsAsTheNeighboursTone_OnlyOnTheTimeline()
    {
        var reply = Reply(Own);
        var timeline = reply[..4800].Concat(new double[6400]).Concat(reply[4800..5600]).ToArray();

        var (onTimeline, frequency) = Signals.CrossTalk(timeline, Own, Others);
        var (onContent, _) = Signals.CrossTalk(reply, Own, Others);

        Report($"interrupted reply: {onTimeline:F1} dB ({frequency} Hz) on the timeline, {onContent:F1} dB on the content");
        Assert.True(onTimeline > -40, $"timeline cross-talk {onTimeline:F1} dB");
        Assert.Equal(37, Math.Abs(frequency - Own));
        Assert.True(onContent < -60, $"content cross-talk {onContent:F1} dB");
    }

    [Theory]
    [InlineData(Neighbour, 25)]
    [InlineData(Neighbour, 5)]
    [InlineData(Farthest, 44)]
    public void OneFrameOfAnotherCaller_IsCaughtByBothMeasures(double other, int frame)
    {
        var reply = Reply(Own);
        Reply(other).AsSpan(frame * Frame, Frame).CopyTo(reply.AsSpan(frame * Frame));

        var (crossTalk, frequency) = Signals.CrossTalk(reply, Own, Others);
        var (frameDb, worst) = Signals.WorstForeignFrame(reply, Own);

        Report($"one {other} Hz frame at {frame}: worst frame {frameDb:F1} dB (frame {worst}), cross-talk {crossTalk:F1} dB ({frequency} Hz)");
        Assert.True(frameDb > -10, $"worst frame {frameDb:F1} dB");
        Assert.Equal(frame, worst);
        if (frame is > 10 and < 40)
        {
            // Away from the fades the frame is loud enough to show over the whole reply as well.
            Assert.True(crossTalk > -40, $"cross-talk {crossTalk:F1} dB");
            Assert.Equal(other, frequency);
        }
    }

    private static void Report(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    // A caller's reply after μ-law both ways, as the bridge's chain leaves it (the resamplers pass these tones unchanged).
    private static double[] Reply(double frequency) => Signals.Decode(Signals.ToMuLaw(Signals.Tone(frequency, seconds: 1.0, silenceAfterSeconds: 0)));
}
