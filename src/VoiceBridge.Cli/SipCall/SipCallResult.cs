namespace VoiceBridge.Cli.SipCall;

/// <summary>What a simulated SIP call came to.</summary>
/// <param name="CallId">The simulator's call id (also the bridge's: <c>GET /calls/{id}/…</c>).</param>
/// <param name="WebhookStatus">The bridge's answer to the signed webhook (null: not reached).</param>
/// <param name="Answered">The bridge accepted the call (it went live).</param>
/// <param name="Heard">The model's voice as the phone received it: PCM16 24 kHz mono, from the start of the call.</param>
/// <param name="FirstAudioAfterSpeech">From the end of the phone's speech to the first audible reply, when there was one.</param>
/// <param name="EndReason">How the simulator says the call ended.</param>
internal sealed record SipCallResult(string CallId, int? WebhookStatus, bool Answered, short[] Heard, TimeSpan? FirstAudioAfterSpeech, string? EndReason);
