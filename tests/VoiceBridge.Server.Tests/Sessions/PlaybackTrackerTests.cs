using VoiceBridge.Server.Core;
using VoiceBridge.Server.Twilio;

namespace VoiceBridge.Server.Tests.Sessions;

public sealed class PlaybackTrackerTests
{
    private readonly PlaybackTracker _tracker = new();

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
}
