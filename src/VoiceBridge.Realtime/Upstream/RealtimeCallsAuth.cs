namespace VoiceBridge.Realtime.Upstream;

/// <summary>
/// How the server posts a browser's SDP offer to the upstream's <c>…/realtime/calls</c>
/// (docs/protocols/openai-realtime.md#webrtc-sip-and-sidebands).
/// </summary>
public enum RealtimeCallsAuth
{
    /// <summary>The "unified interface": the server's key, <c>multipart/form-data</c> with the parts <c>sdp</c> and <c>session</c>.</summary>
    ApiKey = 0,

    /// <summary>
    /// Mint a short-lived key first (<c>POST …/realtime/client_secrets</c> with the session), then post the raw
    /// <c>application/sdp</c> offer with it: what some Azure reports say its <c>/calls</c> needs.
    /// </summary>
    EphemeralKey,
}
