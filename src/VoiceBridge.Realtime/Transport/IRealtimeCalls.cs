namespace VoiceBridge.Realtime.Transport;

/// <summary>
/// The upstream's direct calls (WebRTC from a browser, SIP through the upstream's SIP interface): the audio runs between
/// the caller and the model, the server keeps control over a sideband WebSocket on the call's id
/// (docs/protocols/openai-realtime.md#webrtc-sip-and-sidebands). Failures are values.
/// </summary>
public interface IRealtimeCalls
{
    /// <summary>Creates a WebRTC call from the browser's SDP offer with the server's session; the outcome carries the answer SDP and the call id.</summary>
    ValueTask<RealtimeCallOutcome> CreateAsync(string offerSdp, string sessionJson, CancellationToken cancellationToken);

    /// <summary>Accepts an incoming SIP call with the server's session.</summary>
    ValueTask<RealtimeCallOutcome> AcceptAsync(string callId, string sessionJson, CancellationToken cancellationToken);

    /// <summary>Declines an incoming SIP call with a SIP status (486 busy, 603 decline).</summary>
    ValueTask<RealtimeCallOutcome> RejectAsync(string callId, int sipStatus, CancellationToken cancellationToken);

    /// <summary>Ends a live WebRTC or SIP call.</summary>
    ValueTask<RealtimeCallOutcome> HangupAsync(string callId, CancellationToken cancellationToken);

    /// <summary>Opens sidebands to a live call (each connect is a new WebSocket to the same call; a 404 means the call is over).</summary>
    IRealtimeConnector Sideband(string callId);
}
