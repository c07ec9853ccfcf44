namespace VoiceBridge.Server.Calls;

/// <summary>
/// Instructions an outbound call was placed with (<c>POST /calls/outbound</c>), kept by CallSid until the call's stream
/// starts. Twilio fetches the call's TwiML only once the callee answers, and that webhook and the stream may reach any
/// instance: in memory alone (<see cref="OutboundCalls"/>), in Redis with <c>Cluster:Redis</c>.
/// </summary>
internal interface IOutboundInstructions
{
    /// <summary>Keeps <paramref name="instructions"/> for <paramref name="callSid"/> until taken or expired (10 minutes).</summary>
    Task AddAsync(string callSid, string instructions, CancellationToken cancellationToken);

    /// <summary>The instructions for this call, once (null for calls not placed with instructions, or when unreadable).</summary>
    Task<string?> TakeAsync(string callSid, CancellationToken cancellationToken);
}
