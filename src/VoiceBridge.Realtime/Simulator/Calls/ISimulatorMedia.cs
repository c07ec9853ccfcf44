namespace VoiceBridge.Realtime.Simulator.Calls;

/// <summary>
/// The caller's end of a simulated direct call's media: a model-side browser page holding the WebRTC peer connection
/// (audio both ways and the <c>oai-events</c> data channel), or a simulated phone on a SIP call (audio only). Called from
/// the call's loop; an implementation queues and returns at once.
/// </summary>
public interface ISimulatorMedia
{
    /// <summary>The model's voice for the caller: PCM16 little-endian, 24 kHz, mono.</summary>
    void OnAudio(ReadOnlySpan<byte> pcm);

    /// <summary>A server event for the data channel (WebRTC; a SIP call has none).</summary>
    void OnEvent(ReadOnlySpan<byte> json);

    /// <summary>The output buffer was cleared (the caller spoke over the model): drop what is queued to play.</summary>
    void OnClear();

    /// <summary>The call is over.</summary>
    void OnEnded(string reason);
}
