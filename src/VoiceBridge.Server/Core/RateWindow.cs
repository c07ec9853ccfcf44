namespace VoiceBridge.Server.Core;

/// <summary>
/// Counts events in fixed windows (one second unless told) on the injected clock: the cheap flood guard both caller
/// legs use (a sliding window buys nothing against a flood and costs more per frame). Not thread-safe: one per receive loop.
/// </summary>
internal struct RateWindow
{
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);

    private long _windowStart;
    private int _count;

    /// <summary>Counts one event and returns how many the current one-second window has seen, this one included.</summary>
    public int Count(TimeProvider time) => Count(time, OneSecond);

    /// <summary>Counts one event and returns how many the current window of <paramref name="window"/> has seen, this one included.</summary>
    public int Count(TimeProvider time, TimeSpan window)
    {
        var now = time.GetTimestamp();
        if (_count == 0 || time.GetElapsedTime(_windowStart, now) >= window)
        {
            _windowStart = now;
            _count = 0;
        }

        return ++_count;
    }
}
