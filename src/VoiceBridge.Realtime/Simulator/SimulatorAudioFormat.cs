namespace VoiceBridge.Realtime.Simulator;

/// <summary>The session audio formats the simulator understands
/// (docs/protocols/openai-realtime.md#audio-formats).</summary>
internal enum SimulatorAudioFormat
{
    /// <summary>PCM16 little-endian mono 24 kHz: 48 bytes per ms.</summary>
    Pcm24k = 0,

    /// <summary>G.711 μ-law 8 kHz: 8 bytes per ms.</summary>
    Pcmu,

    /// <summary>G.711 A-law 8 kHz: 8 bytes per ms.</summary>
    Pcma,
}
