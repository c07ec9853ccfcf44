using VoiceBridge.Audio;

namespace VoiceBridge.Cli.Load;

/// <summary>
/// What the simulated callers say: one shared stretch of speech-like μ-law (voiced syllables at about −20 dBFS RMS,
/// utterances of 0.6–2.2 s) that every call plays from its own starting frame, so 500 calls cost one buffer and their
/// turns do not line up. After an utterance the caller either pauses briefly and goes on (under the upstream VAD's
/// 500 ms silence window: the same turn), waits for the whole echoed reply, or starts again while the reply plays
/// (a barge-in), in roughly equal shares. <see cref="IsTurnEnd"/> marks the last voiced frame of the
/// utterances followed by a turn-ending pause (the start of the first-audio measurement).
/// </summary>
internal sealed class CallerScript
{
    public const int FrameBytes = 160;
    private const int Rate = 8000;

    // A pause this long ends the turn whatever the VAD's window granularity (500 ms silence + 2 windows of 20 ms).
    private const double TurnEndingPauseSeconds = 0.6;

    private readonly byte[] _audio;
    private readonly bool[] _turnEnd;
    private readonly bool[] _speechStart;

    private CallerScript(byte[] audio, bool[] turnEnd, bool[] speechStart)
    {
        _audio = audio;
        _turnEnd = turnEnd;
        _speechStart = speechStart;
    }

    public int Frames => _turnEnd.Length;

    /// <summary>Builds <paramref name="seconds"/> of script (whole frames) from a fixed seed: every run says the same.</summary>
    public static CallerScript Create(double seconds, int seed = 9)
    {
        var frames = (int)Math.Ceiling(seconds * Rate / FrameBytes);
        var samples = new short[frames * FrameBytes];
        var turnEnd = new bool[frames];
        var speechStart = new bool[frames];
        var random = new Random(seed);
        var position = (int)(random.NextDouble() * 0.8 * Rate);
        while (position < samples.Length)
        {
            var length = (int)((0.6 + (random.NextDouble() * 1.6)) * Rate);
            length = Math.Min(length, samples.Length - position);
            Utterance(samples.AsSpan(position, length), random);
            speechStart[position / FrameBytes] = true;
            var pause = NextPause(random, length / (double)Rate);
            var lastFrame = (position + length - 1) / FrameBytes;
            if (pause >= TurnEndingPauseSeconds)
            {
                turnEnd[lastFrame] = true;
            }

            position += length + (int)(pause * Rate);
        }

        var audio = new byte[samples.Length];
        MuLaw.Encode(samples, audio);
        return new CallerScript(audio, turnEnd, speechStart);
    }

    /// <summary><paramref name="frames"/> frames starting at <paramref name="firstFrame"/> (wrapping is not needed: callers stay in range).</summary>
    public ReadOnlyMemory<byte> Slice(int firstFrame, int frames) => _audio.AsMemory(firstFrame * FrameBytes, frames * FrameBytes);

    public bool IsTurnEnd(long frame) => frame < _turnEnd.Length && _turnEnd[frame];

    public bool IsSpeechStart(long frame) => frame < _speechStart.Length && _speechStart[frame];

    private static double NextPause(Random random, double utteranceSeconds) => random.Next(3) switch
    {
        0 => 0.2 + (random.NextDouble() * 0.2),
        // The echo starts ~0.5 s after the speech ends, lasts the utterance plus 0.3 s of prefix padding, and plays
        // 0.2 s later (the callers' jitter buffer): wait all of it and a little more.
        1 => 1.2 + utteranceSeconds + (random.NextDouble() * 0.5),
        _ => 0.8 + (random.NextDouble() * 0.6),
    };

    // Voiced speech, roughly: a glottal-like harmonic series (f0 100–220 Hz, drifting) under a syllable envelope of
    // ~4 syllables a second with short dips between them (shorter than the VAD's silence window, so one utterance
    // stays one turn).
    private static void Utterance(Span<short> destination, Random random)
    {
        var f0 = 100 + (random.NextDouble() * 120);
        var drift = (random.NextDouble() - 0.5) * 40;
        var syllableHz = 3 + (random.NextDouble() * 2);
        var phase = 0.0;
        var fade = Math.Min(destination.Length / 2, Rate / 50);
        for (var n = 0; n < destination.Length; n++)
        {
            var t = n / (double)Rate;
            var frequency = f0 + (drift * Math.Sin(2 * Math.PI * 0.7 * t));
            phase += 2 * Math.PI * frequency / Rate;
            double voiced = 0;
            for (var k = 1; k * frequency < 3400; k++)
            {
                voiced += Math.Sin(k * phase) / k;
            }

            var syllable = 0.25 + (0.75 * Math.Abs(Math.Sin(Math.PI * syllableHz * t)));
            var edge = Math.Min(1.0, Math.Min(n, destination.Length - 1 - n) / (double)fade);
            destination[n] = (short)Math.Clamp(voiced * syllable * edge * 4500, short.MinValue, short.MaxValue);
        }
    }
}
