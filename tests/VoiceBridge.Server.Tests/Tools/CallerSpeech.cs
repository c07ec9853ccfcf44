using VoiceBridge.Audio;
using VoiceBridge.Server.Tests.Sessions;

namespace VoiceBridge.Server.Tests.Tools;

/// <summary>A caller utterance as Twilio sends it: 400 ms of a loud tone, then 700 ms of μ-law silence, in 20 ms frames.</summary>
internal static class CallerSpeech
{
    private static readonly byte[] s_tone = Tone();
    private static readonly byte[] s_silence = Enumerable.Repeat((byte)0xFF, 160).ToArray();

    /// <summary>Sends one utterance; the simulator's VAD hears speech start and stop, and commits a user turn.</summary>
    public static Task SpeakAsync(TwilioCallHarness call) => SpeakAsync(mulaw => call.SendMediaAsync(mulaw));

    /// <summary>Sends one utterance through any Twilio-like sender of media payloads.</summary>
    public static async Task SpeakAsync(Func<byte[], Task> sendMedia)
    {
        for (var i = 0; i < 20; i++)
        {
            await sendMedia(s_tone);
        }

        for (var i = 0; i < 35; i++)
        {
            await sendMedia(s_silence);
        }
    }

    private static byte[] Tone()
    {
        var pcm = new short[160];
        for (var i = 0; i < pcm.Length; i++)
        {
            // 400 Hz at about −10 dBFS: far above the simulator's −40 dBFS speech threshold.
            pcm[i] = (short)(10_000 * Math.Sin(2 * Math.PI * 400 * i / 8000.0));
        }

        var mulaw = new byte[160];
        MuLaw.Encode(pcm, mulaw);
        return mulaw;
    }
}
