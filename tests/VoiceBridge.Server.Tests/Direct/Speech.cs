namespace VoiceBridge.Server.Tests.Direct;

/// <summary>A caller utterance as a direct call's media carries it: PCM16 24 kHz, a loud tone then silence.</summary>
internal static class Speech
{
    public static byte[] Utterance(int toneMs = 600, int silenceMs = 900)
    {
        var samples = (toneMs + silenceMs) * 24;
        var pcm = new byte[samples * 2];
        for (var i = 0; i < toneMs * 24; i++)
        {
            // 400 Hz at about −10 dBFS: far above the simulator's −40 dBFS speech threshold.
            var value = (short)(10_000 * Math.Sin(2 * Math.PI * 400 * i / 24000.0));
            pcm[2 * i] = (byte)value;
            pcm[(2 * i) + 1] = (byte)(value >> 8);
        }

        return pcm;
    }

    /// <summary>Feeds <paramref name="pcm"/> to the call in 20 ms frames (the simulator's VAD follows bytes, not the clock).</summary>
    public static async Task SpeakAsync(VoiceBridge.Realtime.Simulator.Calls.SimulatorCall call, byte[] pcm)
    {
        for (var offset = 0; offset < pcm.Length; offset += 960)
        {
            await call.SubmitAudioAsync(pcm.AsSpan(offset, Math.Min(960, pcm.Length - offset)), TestContext.Current.CancellationToken);
        }
    }
}
