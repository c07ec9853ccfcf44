namespace VoiceBridge.Server.Calls;

/// <summary>Answer of <c>POST /calls/outbound</c>: Twilio's CallSid and status (normally <c>queued</c>).</summary>
internal sealed record OutboundResult(string CallSid, string? Status);
