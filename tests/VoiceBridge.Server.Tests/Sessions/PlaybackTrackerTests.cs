using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Twilio;

namespace VoiceBridge.Server.Tests.Sessions;

public sealed class PlaybackTrackerTests
{
    // The clock stands still unless a test moves it: no playback time passes between an echo and a barge-in.
    private readonly FakeTimeProvider _time = new();
    private readonly PlaybackTracker _tracker;

    public PlaybackTrackerTests()
    {
        _tracker = new PlaybackTracker(_time);
    }

    [Fact]
    public void BargeIn_BeforeAnyPlayback_SendsNoClearAndNoTruncate()
    {
        var decision = _tracker.OnSpeechStarted();

        Assert.True(decision.IsNoOp);
    }

    [Fact]
    public void BargeIn_TruncatesAtLastAckedMark()
    {
        _tracker.OnResponseCreated("resp_1");
        var first = _tracker.OnAudioSent("item_1", 100);
        _tracker.OnAudioSent("item_1", 100);
        _tracker.OnAudioSent("item_1", 100);
        Assert.Equal(MarkEchoKind.Played, _tracker.OnMarkEchoed(first).Kind);

        var decision = _tracker.OnSpeechStarted();

        Assert.True(decision.SendClear);
        Assert.Equal("item_1", decision.TruncateItemId);
        Assert.Equal(100, decision.TruncateAtMs);
        Assert.Equal("resp_1", decision.InterruptedResponseId);
    }

    [Fact]
    public void BargeIn_OnItemSentButNotYetEchoed_TruncatesAtZero_NeverBeyondWhatWasSent()
    {
        _tracker.OnAudioSent("item_1", 240);

        var decision = _tracker.OnSpeechStarted();

        Assert.True(decision.SendClear);
        Assert.Equal("item_1", decision.TruncateItemId);
        Assert.Equal(0, decision.TruncateAtMs);
    }

    [Fact]
    public void BargeIn_AfterEverythingPlayed_ClearsNothing_AndTruncatesNothing()
    {
        _tracker.OnResponseCreated("resp_1");
        var mark = _tracker.OnAudioSent("item_1", 500);
        _tracker.OnResponseDone("resp_1");
        _tracker.OnMarkEchoed(mark);

        var decision = _tracker.OnSpeechStarted();

        Assert.True(decision.IsNoOp);
        Assert.Equal(500, _tracker.HeardMs("item_1"));
    }

    [Fact]
    public void ItemInterruptedBeforeItsFirstDelta_IsNotTruncated_AndItsResponseIsSilenced()
    {
        _tracker.OnResponseCreated("resp_1");

        var decision = _tracker.OnSpeechStarted();

        Assert.False(decision.SendClear);
        Assert.Null(decision.TruncateItemId);
        Assert.Equal("resp_1", decision.InterruptedResponseId);
        Assert.True(_tracker.IsInterrupted("resp_1"));
    }

    [Fact]
    public void SeveralQueuedItems_OnlyTheOnePlayingIsTruncated()
    {
        var a1 = _tracker.OnAudioSent("item_a", 100);
        _tracker.OnAudioSent("item_a", 100);
        _tracker.OnMarkEchoed(a1);
        _tracker.OnAudioSent("item_b", 300);

        var decision = _tracker.OnSpeechStarted();

        Assert.True(decision.SendClear);
        Assert.Equal("item_a", decision.TruncateItemId);
        Assert.Equal(100, decision.TruncateAtMs);
    }

    [Fact]
    public void SeveralQueuedItems_WhenTheFirstFinished_TheSecondIsThePlayingOne()
    {
        _tracker.OnAudioSent("item_a", 100);
        var b1 = _tracker.OnAudioSent("item_b", 120);
        _tracker.OnAudioSent("item_b", 120);
        _tracker.OnMarkEchoed(b1); // acknowledges item_a's mark too: playback is in order

        var decision = _tracker.OnSpeechStarted();

        Assert.Equal(100, _tracker.HeardMs("item_a"));
        Assert.Equal("item_b", decision.TruncateItemId);
        Assert.Equal(120, decision.TruncateAtMs);
    }

    [Fact]
    public void StaleMarksAfterAClear_DoNotCountAsPlayed()
    {
        var first = _tracker.OnAudioSent("item_1", 100);
        var second = _tracker.OnAudioSent("item_1", 100);
        var third = _tracker.OnAudioSent("item_1", 100);
        _tracker.OnMarkEchoed(first);
        _tracker.OnSpeechStarted();

        // Twilio returns every pending mark after a clear; the audio behind them never played.
        Assert.Equal(MarkEchoKind.Cleared, _tracker.OnMarkEchoed(second).Kind);
        Assert.Equal(MarkEchoKind.Cleared, _tracker.OnMarkEchoed(third).Kind);
        Assert.Equal(100, _tracker.HeardMs("item_1"));
        Assert.False(_tracker.IsPlaying);
    }

    [Fact]
    public void UnknownAndRepeatedMarks_AreReportedUnknown()
    {
        var mark = _tracker.OnAudioSent("item_1", 20);

        Assert.Equal(MarkEchoKind.Unknown, _tracker.OnMarkEchoed(999).Kind);
        Assert.Equal(MarkEchoKind.Played, _tracker.OnMarkEchoed(mark).Kind);
        Assert.Equal(MarkEchoKind.Unknown, _tracker.OnMarkEchoed(mark).Kind);
    }

    [Fact]
    public void ANewResponseAfterABargeIn_IsNotSilenced()
    {
        _tracker.OnResponseCreated("resp_1");
        _tracker.OnSpeechStarted();
        _tracker.OnResponseCreated("resp_2");

        Assert.True(_tracker.IsInterrupted("resp_1"));
        Assert.False(_tracker.IsInterrupted("resp_2"));
    }

    [Fact]
    public void FractionalMilliseconds_AccumulateAndNeverRoundUpPastWhatWasSent()
    {
        // 24 kHz deltas of odd sizes: 4801 samples = 200.04 ms each.
        _tracker.OnAudioSent("item_1", 200.04);
        var mark = _tracker.OnAudioSent("item_1", 200.04);
        _tracker.OnMarkEchoed(mark);

        Assert.Equal(400, _tracker.HeardMs("item_1"));
    }

    [Fact]
    public void BargeIn_BetweenEchoes_CountsThePlaybackTimeSinceTheLastEcho()
    {
        // One 2 s delta after another: the first echo says 2000 ms were heard, then 700 ms more play.
        var first = _tracker.OnAudioSent("item_1", 2000);
        _tracker.OnAudioSent("item_1", 2000);
        _time.Advance(TimeSpan.FromMilliseconds(2000));
        _tracker.OnMarkEchoed(first);
        _time.Advance(TimeSpan.FromMilliseconds(700));

        var decision = _tracker.OnSpeechStarted();

        Assert.Equal("item_1", decision.TruncateItemId);
        Assert.Equal(2700, decision.TruncateAtMs);
    }

    [Fact]
    public void BargeIn_BeforeTheFirstEcho_CountsFromWhenTheAudioWasSent()
    {
        _tracker.OnAudioSent("item_1", 500);
        _time.Advance(TimeSpan.FromMilliseconds(230));

        Assert.Equal(230, _tracker.OnSpeechStarted().TruncateAtMs);
    }

    [Fact]
    public void BargeIn_AfterAnUnderrun_CountsFromWhenTheNextAudioArrived_NotFromTheEcho()
    {
        // The first delta played out and was echoed; the next came 300 ms later, so it started playing on arrival.
        var first = _tracker.OnAudioSent("item_1", 500);
        _time.Advance(TimeSpan.FromMilliseconds(500));
        _tracker.OnMarkEchoed(first);
        _time.Advance(TimeSpan.FromMilliseconds(300));
        _tracker.OnAudioSent("item_1", 500);
        _time.Advance(TimeSpan.FromMilliseconds(120));

        Assert.Equal(620, _tracker.OnSpeechStarted().TruncateAtMs);
    }

    [Fact]
    public void BargeIn_WhenAnEchoIsOverdue_NeverCountsPastThatMark()
    {
        // The caller's playback stalled: the echo due 500 ms after sending has not come 900 ms later.
        _tracker.OnAudioSent("item_1", 500);
        _tracker.OnAudioSent("item_1", 500);
        _time.Advance(TimeSpan.FromMilliseconds(900));

        var decision = _tracker.OnSpeechStarted();

        Assert.Equal(500, decision.TruncateAtMs);
    }

    [Fact]
    public void BargeIn_WhenTheItemsLastEchoIsOverdue_StaysInThatItem_NeverTruncatesTheNextOne()
    {
        _tracker.OnAudioSent("item_a", 100);
        _tracker.OnAudioSent("item_b", 300);
        _time.Advance(TimeSpan.FromMilliseconds(250));

        var decision = _tracker.OnSpeechStarted();

        Assert.Equal("item_a", decision.TruncateItemId);
        Assert.Equal(100, decision.TruncateAtMs);
    }

    [Fact]
    public void WithoutInterpolation_BargeInTruncatesAtTheLastEchoedMark()
    {
        _tracker.Settings = new PlaybackSettings { Interpolate = false };
        var first = _tracker.OnAudioSent("item_1", 500);
        _tracker.OnAudioSent("item_1", 500);
        _time.Advance(TimeSpan.FromMilliseconds(500));
        _tracker.OnMarkEchoed(first);
        _time.Advance(TimeSpan.FromMilliseconds(300));

        Assert.Equal(500, _tracker.OnSpeechStarted().TruncateAtMs);
    }

    [Theory]
    [InlineData(0, 5, false)]
    [InlineData(1, 5, true)]
    [InlineData(2, 5, false)]
    [InlineData(5, 5, false)]
    public void MarkEveryFrames_AsksForAMarkAfterThatManyFrames(int markEveryFrames, int frames, bool markAfterEachFrame)
    {
        _tracker.Settings = new PlaybackSettings { MarkEveryFrames = markEveryFrames };
        var due = new List<bool>();
        for (var i = 0; i < frames; i++)
        {
            due.Add(_tracker.OnFrameSent("item_1", 20));
            if (due[^1])
            {
                _tracker.TakeMark();
            }
        }

        if (markAfterEachFrame)
        {
            Assert.All(due, Assert.True);
        }
        else if (markEveryFrames > 0)
        {
            Assert.Equal(frames / markEveryFrames, due.Count(d => d));
            Assert.True(due[markEveryFrames - 1]);
        }
        else
        {
            Assert.DoesNotContain(true, due);
        }
    }

    [Fact]
    public void TakeMark_WithNothingSentSinceTheLastMark_IsNull()
    {
        Assert.Null(_tracker.TakeMark());
        _tracker.OnFrameSent("item_1", 20);
        Assert.NotNull(_tracker.TakeMark());
        Assert.Null(_tracker.TakeMark());
    }
}
