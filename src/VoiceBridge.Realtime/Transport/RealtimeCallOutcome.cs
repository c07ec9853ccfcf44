namespace VoiceBridge.Realtime.Transport;

/// <summary>What a request to the upstream's calls resource came to.</summary>
/// <param name="Succeeded">The upstream answered 2xx.</param>
/// <param name="HttpStatus">The HTTP status, when a response came (none for a network failure or a timeout).</param>
/// <param name="Description">One line for the log: never a key, never the SDP.</param>
/// <param name="CallId">A created call's id (the last segment of <c>Location</c>).</param>
/// <param name="AnswerSdp">A created WebRTC call's SDP answer.</param>
public sealed record RealtimeCallOutcome(bool Succeeded, int? HttpStatus, string Description, string? CallId = null, string? AnswerSdp = null)
{
    public static RealtimeCallOutcome Ok(int status, string? callId = null, string? answerSdp = null) => new(true, status, "ok", callId, answerSdp);

    public static RealtimeCallOutcome Failed(int? status, string description) => new(false, status, description);
}
