namespace VoiceBridge.Server.Core;

/// <summary>What is known when a call starts: who, over what, and the policy it runs with.</summary>
/// <param name="CallId">The CallSid of a phone call, the session id of a browser call, the upstream's call id of a direct call.</param>
/// <param name="Transport">The leg (<c>twilio</c>, <c>browser</c>, …).</param>
/// <param name="StreamId">The transport's own stream id (Twilio's StreamSid), when it has one.</param>
/// <param name="Caller">Who called, when known.</param>
/// <param name="UpstreamAudio">The upstream audio format: <c>pcm24k</c> or <c>pcmu</c>.</param>
/// <param name="InboundBytesRatio">Upstream audio bytes per caller audio byte (6 for μ-law 8 kHz → PCM16 24 kHz).</param>
/// <param name="Policy">The server policy the call runs with, as recorded.</param>
internal sealed record CallStarted(
    string CallId,
    string Transport,
    string? StreamId,
    string? Caller,
    string UpstreamAudio,
    double InboundBytesRatio,
    CallPolicySummary Policy);
