namespace VoiceBridge.Realtime.Simulator;

/// <summary>
/// Server VAD from signal energy: RMS over 20 ms windows against a dBFS threshold. Speech starts after
/// <c>startWindows</c> consecutive loud windows (the start is placed at the first of them); it stops after
/// <c>silenceDurationMs</c> of consecutive quiet windows (the hangover). Positions are in samples from the start of
/// the session's audio, so timing follows the bytes received, never the wall clock.
/// </summary>
internal sealed class EnergyVad
{
    private const int WindowMs = 20;
    private readonly int _windowSamples;
    private readonly double _thresholdSquare;
    private readonly int _startWindows;
    private readonly int _silenceWindows;
    private double _sumSquares;
    private int _inWindow;
    private long _windowStart;
    private int _loudRun;
    private int _quietRun;

    public EnergyVad(int sampleRate, double thresholdDbfs, int startWindows, int silenceDurationMs, long startSample)
    {
        _windowStart = startSample;
        _windowSamples = sampleRate * WindowMs / 1000;
        var rms = 32768.0 * Math.Pow(10, thresholdDbfs / 20);
        _thresholdSquare = rms * rms;
        _startWindows = Math.Max(1, startWindows);
        _silenceWindows = Math.Max(1, (silenceDurationMs + WindowMs - 1) / WindowMs);
    }

    public bool InSpeech { get; private set; }

    /// <summary>Sample position where the current/last speech started.</summary>
    public long SpeechStartSample { get; private set; }

    /// <summary>Sample position where the last loud window ended.</summary>
    public long LastSpeechEndSample { get; private set; }

    /// <summary>Sample position of the end of the window that produced the last transition.</summary>
    public long TransitionSample { get; private set; }

    /// <summary>
    /// Feeds samples up to the end of the current window; <paramref name="consumed"/> says how many were used.
    /// Returns a transition when that window completed one.
    /// </summary>
    public VadTransition Add(ReadOnlySpan<short> samples, out int consumed)
    {
        consumed = Math.Min(samples.Length, _windowSamples - _inWindow);
        foreach (var s in samples[..consumed])
        {
            _sumSquares += s * (double)s;
        }

        _inWindow += consumed;
        if (_inWindow < _windowSamples)
        {
            return VadTransition.None;
        }

        var loud = _sumSquares / _windowSamples >= _thresholdSquare;
        var windowEnd = _windowStart + _windowSamples;
        _windowStart = windowEnd;
        _sumSquares = 0;
        _inWindow = 0;
        return loud ? Loud(windowEnd) : Quiet(windowEnd);
    }

    /// <summary>Back to silence (after a commit or clear); positions keep counting.</summary>
    public void Reset()
    {
        InSpeech = false;
        _loudRun = 0;
        _quietRun = 0;
    }

    private VadTransition Loud(long windowEnd)
    {
        _quietRun = 0;
        LastSpeechEndSample = windowEnd;
        if (InSpeech)
        {
            return VadTransition.None;
        }

        if (++_loudRun < _startWindows)
        {
            return VadTransition.None;
        }

        InSpeech = true;
        SpeechStartSample = windowEnd - (_loudRun * (long)_windowSamples);
        TransitionSample = windowEnd;
        return VadTransition.SpeechStarted;
    }

    private VadTransition Quiet(long windowEnd)
    {
        _loudRun = 0;
        if (!InSpeech || ++_quietRun < _silenceWindows)
        {
            return VadTransition.None;
        }

        InSpeech = false;
        _quietRun = 0;
        TransitionSample = windowEnd;
        return VadTransition.SpeechStopped;
    }
}
