namespace VoiceBridge.Realtime.Simulator;

/// <summary>
/// How the embedded simulator behaves: a script of per-turn behaviours for tests, pacing, and VAD thresholds.
/// Loadable from JSON (<see cref="SimulatorJsonContext"/>, snake_case) for <c>voicebridge simulator --script</c>.
/// </summary>
public sealed record SimulatorOptions
{
    /// <summary>Per-user-turn behaviours (turn 1 = the first committed user utterance).</summary>
    public IReadOnlyList<SimulatorTurn> Turns { get; init; } = [];

    /// <summary>Close the session from the server side (after a time or at a turn).</summary>
    public SimulatorClose? Close { get; init; }

    /// <summary>
    /// Real time (default): response audio is released as time passes on the injected clock, one 100 ms chunk per
    /// 100 ms with the first chunk immediately, so a Twilio-like client hears it at play speed and barge-in has
    /// something to interrupt. Fast: everything at once (load tests, quick checks).
    /// </summary>
    public SimulatorPacing Pacing { get; init; } = SimulatorPacing.RealTime;

    /// <summary>
    /// RMS level (dBFS over a 20 ms window) that counts as speech when the session's VAD threshold is 0.5. The session
    /// threshold shifts it by 40 dB per unit: 0 → −60 dBFS, 1 → −20 dBFS. −40 dBFS sits well above line noise
    /// (~−60 dBFS) and below quiet speech (~−30 dBFS).
    /// </summary>
    public double SpeechThresholdDbfs { get; init; } = -40;

    /// <summary>Consecutive speech windows (20 ms each) before speech_started: 3 = 60 ms, ignores clicks.</summary>
    public int SpeechStartWindows { get; init; } = 3;

    /// <summary>Duration of one response.output_audio.delta.</summary>
    public int OutputChunkMs { get; init; } = 100;

    /// <summary>Model name reported in session.created.</summary>
    public string Model { get; init; } = "gpt-realtime";

    /// <summary>Capacity of the client→engine and engine→client queues (frames).</summary>
    public int QueueCapacity { get; init; } = 1024;
}
