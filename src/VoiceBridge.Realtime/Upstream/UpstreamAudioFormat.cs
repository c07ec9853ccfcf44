namespace VoiceBridge.Realtime.Upstream;

/// <summary>The audio format the bridge declares to the upstream for input and output.</summary>
public enum UpstreamAudioFormat
{
    /// <summary>
    /// <c>{"type":"audio/pcm","rate":24000}</c>: the bridge transcodes the caller's μ-law 8 kHz to PCM16 24 kHz
    /// and back (the GA API's PCM is 24 kHz only).
    /// </summary>
    Pcm24k = 0,

    /// <summary>
    /// <c>{"type":"audio/pcmu"}</c>: Twilio's μ-law bytes pass through untouched in both directions
    /// (the GA API accepts and produces G.711 μ-law at 8 kHz).
    /// </summary>
    Pcmu,
}
