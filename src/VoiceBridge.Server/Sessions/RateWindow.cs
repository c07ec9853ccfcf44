namespace VoiceBridge.Server.Sessions;

/// <summary>
/// Counts events in fixed one-second windows on the injected clock: the cheap flood guard both caller legs use
/// (a sliding window buys nothing against a flood and costs more per frame). Not thread-safe: one per receive loop.
/// </summary>
internal struct RateWindow
{
    private long _windowStart;
    private int _count;

    /// <summary>Counts one event and returns how many the current window has seen, this one included.</summary>
    public int Count(TimeProvider time)
    {
        var now = time.GetTimestamp();
        if (_count == 0 || time.GetElapsedTime(_windowStart, now) >= TimeSpan.FromSeconds(1))
        {
            _windowStart = now;
            _count = 0;
        }

        return ++_count;
    }
}
