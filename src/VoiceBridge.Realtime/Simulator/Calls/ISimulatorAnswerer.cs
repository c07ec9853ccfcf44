namespace VoiceBridge.Realtime.Simulator.Calls;

/// <summary>The model's side of a WebRTC handshake: answers a browser's SDP offer for a call (a model-side browser page).</summary>
public interface ISimulatorAnswerer
{
    /// <summary>The SDP answer for <paramref name="offerSdp"/>, or null when the peer could not answer.</summary>
    Task<string?> AnswerAsync(string callId, string offerSdp, CancellationToken cancellationToken);

    /// <summary>The call ended on the server's side: the peer closes its connection.</summary>
    void Hangup(string callId);
}
