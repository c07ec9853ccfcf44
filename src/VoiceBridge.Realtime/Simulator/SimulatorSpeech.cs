namespace VoiceBridge.Realtime.Simulator;

/// <summary>
/// What the simulator plays when asked to say a text (<see cref="Protocol.VerbatimSpeech"/>): it has no voice, so a soft
/// 440 Hz tone with a 4 Hz syllable rhythm, as long as the text would take to speak (about 15 characters a second,
/// 0.4 to 10 s). Audible and distinct from any echo of the caller; long enough that the caller "hears" the whole text,
/// so the heard transcript (cut at what played) keeps it.
/// </summary>
internal static class SimulatorSpeech
{
    private const int MsPerCharacter = 65;
    private const int MinMs = 400;
    private const int MaxMs = 10_000;

    public static byte[] Render(string text, SimulatorAudioFormat format)
    {
        var ms = Math.Clamp(text.Length * MsPerCharacter, MinMs, MaxMs);
        var rate = format.SampleRate();
        var pcm = new short[ms * rate / 1000];
        for (var i = 0; i < pcm.Length; i++)
        {
            var t = (double)i / rate;
            // Raised-sine envelope over the whole text (no clicks at either end), a 4 Hz rhythm on top, about -20 dBFS.
            var envelope = Math.Sin(Math.PI * i / pcm.Length) * (0.6 + (0.4 * Math.Abs(Math.Sin(Math.PI * 4 * t))));
            pcm[i] = (short)(3300 * envelope * Math.Sin(2 * Math.PI * 440 * t));
        }

        return SimulatorAudioFormats.Encode(pcm, format);
    }
}
