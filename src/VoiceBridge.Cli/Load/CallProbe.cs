using VoiceBridge.Cli.Call;

namespace VoiceBridge.Cli.Load;

/// <summary>
/// One load call's stopwatch, at both ends of the bridge, on one clock (<see cref="TimeProvider.GetTimestamp"/> in
/// this process). Frames are matched per call by position, which is valid because the bridge relays 1:1 and in order:
/// <list type="bullet">
/// <item>Inbound: the k-th media frame the fake Twilio sends becomes the k-th <c>input_audio_buffer.append</c> its
/// upstream session receives (the bridge transcodes each 20 ms μ-law payload into one append, nothing held back).</item>
/// <item>Outbound: every <c>response.output_audio.delta</c> the simulator sends becomes that delta's media frames
/// followed by one mark (the bridge marks each delta it forwards; a short last delta is marked at
/// <c>output_audio.done</c>, which the simulator sends right after it). So the k-th delta's first frame is the first
/// media after the (k−1)-th mark. The simulator stops a response's deltas before it emits <c>speech_started</c>, so
/// the bridge's interruption filter has nothing to drop and positions stay aligned through barge-ins.</item>
/// </list>
/// A count that does not match at the end of a call is reported as dropped frames; timestamps are kept for the last
/// <see cref="Ring"/> frames each way (20 s), far beyond any plausible hop.
/// </summary>
internal sealed class CallProbe : FakeTwilioCallObserver
{
    private const int Ring = 1024;
    private static readonly TimeSpan s_catchUpLimit = TimeSpan.FromSeconds(3);

    private readonly LoadMetrics _metrics;
    private readonly LoadUpstream? _upstream;
    private readonly CallerScript _script;
    private readonly int _firstScriptFrame;
    private readonly long[] _inboundSentAt = new long[Ring];
    private readonly long[] _deltaSentAt = new long[Ring];
    private readonly TaskCompletionSource _attached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _spoken = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _framesSent;
    private long _appendsReceived;
    private long _unexpectedAppends;
    private long _deltasSent;
    private long _deltasAtHangUp = -1;
    private long _marksReceived;
    private long _mediaReceived;
    private int _mediaInGroup;
    private long _speechEndAt;
    private int _holdingGate;
    private int _state; // 0 dialling, 1 up, 2 ended

    public CallProbe(LoadMetrics metrics, LoadUpstream? upstream, CallerScript script, int firstScriptFrame)
    {
        _metrics = metrics;
        _upstream = upstream;
        _script = script;
        _firstScriptFrame = firstScriptFrame;
    }

    /// <summary>Where this call starts in the caller script.</summary>
    public int FirstScriptFrame => _firstScriptFrame;

    /// <summary>When the webhook was posted (set by the runner).</summary>
    public long DialledAt { get; set; }

    public bool IsUp => Volatile.Read(ref _state) == 1;

    public long FramesSent => Interlocked.Read(ref _framesSent);

    public long AppendsReceived => Interlocked.Read(ref _appendsReceived);

    public long UnexpectedAppends => Interlocked.Read(ref _unexpectedAppends);

    /// <summary>Deltas the simulator had sent when the call decided to hang up (all of them when it never got there).</summary>
    public long DeltasCounted => _deltasAtHangUp >= 0 ? _deltasAtHangUp : Interlocked.Read(ref _deltasSent);

    public long MarksReceived => Interlocked.Read(ref _marksReceived);

    public long MediaReceived => Interlocked.Read(ref _mediaReceived);

    public bool UpstreamSeen => _attached.Task.IsCompletedSuccessfully;

    /// <summary>The call is over; a call that failed between <c>start</c> and pairing gives the gate back here.</summary>
    public void MarkEnded()
    {
        Volatile.Write(ref _state, 2);
        ReleaseGate();
    }

    private void ReleaseGate()
    {
        if (Interlocked.Exchange(ref _holdingGate, 0) == 1)
        {
            _upstream!.Leave(this);
        }
    }

    /// <summary>
    /// Pairing with the upstream session: from before the webhook until its session opens, this call alone holds the
    /// gate, so the next session the simulator accepts is its. Taken before dialling (not just around <c>start</c>) so
    /// no bridge-side timer (the 10 s wait for <c>start</c>) runs while a call waits its turn.
    /// </summary>
    public async ValueTask EnterGateAsync(CancellationToken cancellationToken)
    {
        if (_upstream is null)
        {
            return;
        }

        await _upstream.EnterAsync(this, cancellationToken);
        Volatile.Write(ref _holdingGate, 1);
    }

    public override async ValueTask AfterStartAsync(CancellationToken cancellationToken)
    {
        if (_upstream is null)
        {
            Volatile.Write(ref _state, 1);
            return;
        }

        try
        {
            await _attached.Task.WaitAsync(LoadUpstream.AttachTimeout, TimeProvider.System, cancellationToken);
        }
        catch (TimeoutException)
        {
            _metrics.Error("upstream-session-missing", "the bridge opened no upstream session within 10 s of start");
            return;
        }
        finally
        {
            ReleaseGate();
        }

        // The first frame waits until the bridge has spoken on its upstream session (its session.update): a bridge
        // that drops caller audio until its upstream socket is open (Twilio's Node sample does) would otherwise lose
        // the first frames and shift every frame after them by a position.
        try
        {
            await _spoken.Task.WaitAsync(LoadUpstream.AttachTimeout, TimeProvider.System, cancellationToken);
            Volatile.Write(ref _state, 1);
        }
        catch (TimeoutException)
        {
            _metrics.Error("upstream-session-silent", "the bridge sent nothing on its upstream session within 10 s of opening it");
        }
    }

    /// <summary>The first message of this call's upstream session arrived (simulator thread).</summary>
    public void OnUpstreamSpoke() => _spoken.TrySetResult();

    /// <summary>The simulator accepted this call's upstream session (on the simulator's thread).</summary>
    public void OnUpstreamAttached()
    {
        var now = TimeProvider.System.GetTimestamp();
        // Setup: webhook posted → upstream session accepted.
        _metrics.Setup.RecordElapsed(DialledAt, now);
        _attached.TrySetResult();
    }

    public override void OnMediaSending(long frame)
    {
        var now = TimeProvider.System.GetTimestamp();
        Volatile.Write(ref _inboundSentAt[frame % Ring], now);
        Interlocked.Increment(ref _framesSent);
        _metrics.CountSent();
        var scriptFrame = _firstScriptFrame + frame;
        if (_script.IsTurnEnd(scriptFrame))
        {
            Volatile.Write(ref _speechEndAt, now);
        }
        else if (_script.IsSpeechStart(scriptFrame))
        {
            // No reply before the caller spoke again: that turn has no first-audio figure.
            Volatile.Write(ref _speechEndAt, 0);
        }
    }

    /// <summary>An append arrived at the upstream (simulator thread).</summary>
    public void OnAppendReceived()
    {
        var now = TimeProvider.System.GetTimestamp();
        var index = Interlocked.Increment(ref _appendsReceived) - 1;
        if (index >= FramesSent)
        {
            Interlocked.Increment(ref _unexpectedAppends);
            return;
        }

        _metrics.InboundHop.RecordElapsed(Volatile.Read(ref _inboundSentAt[index % Ring]), now);
    }

    /// <summary>A delta is leaving the upstream (simulator thread).</summary>
    public void OnDeltaSending()
    {
        var index = Interlocked.Read(ref _deltasSent);
        Volatile.Write(ref _deltaSentAt[index % Ring], TimeProvider.System.GetTimestamp());
        Interlocked.Increment(ref _deltasSent);
    }

    public override void OnMediaReceived(int bytes)
    {
        var now = TimeProvider.System.GetTimestamp();
        Interlocked.Increment(ref _mediaReceived);
        _metrics.CountReceived();
        var speechEnd = Volatile.Read(ref _speechEndAt);
        if (speechEnd != 0)
        {
            _metrics.FirstAudio.RecordElapsed(speechEnd, now);
            Volatile.Write(ref _speechEndAt, 0);
        }

        if (_mediaInGroup++ == 0 && _upstream is not null)
        {
            var delta = Interlocked.Read(ref _marksReceived);
            if (delta < Interlocked.Read(ref _deltasSent))
            {
                _metrics.OutboundHop.RecordElapsed(Volatile.Read(ref _deltaSentAt[delta % Ring]), now);
            }
        }
    }

    /// <summary>The simulator starts a response (simulator thread).</summary>
    public void OnResponseCreated() => _metrics.CountTurn();

    public override void OnMarkReceived()
    {
        Interlocked.Increment(ref _marksReceived);
        _mediaInGroup = 0;
    }

    public override void OnClearReceived() => _metrics.CountClear();

    // Let audio in flight land before hanging up, so the counts compare what was really sent: every frame sent has
    // reached the upstream, and every delta sent so far has been marked (a response still streaming keeps adding
    // deltas; the count is frozen at the moment both sides agree).
    public override async ValueTask BeforeHangUpAsync(CancellationToken cancellationToken)
    {
        if (_upstream is null)
        {
            return;
        }

        var until = TimeProvider.System.GetTimestamp();
        while (true)
        {
            var deltas = Interlocked.Read(ref _deltasSent);
            if (AppendsReceived >= FramesSent && MarksReceived >= deltas)
            {
                _deltasAtHangUp = deltas;
                return;
            }

            if (TimeProvider.System.GetElapsedTime(until) > s_catchUpLimit)
            {
                _deltasAtHangUp = deltas;
                return;
            }

            await Task.Delay(10, cancellationToken);
        }
    }
}
