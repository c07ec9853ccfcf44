namespace VoiceBridge.Server.Direct;

/// <summary>The incoming SIP call: its id (for accept, reject, hangup and the sideband) and the INVITE's headers.</summary>
internal sealed record IncomingCallData
{
    public string? CallId { get; init; }

    public IReadOnlyList<SipHeader>? SipHeaders { get; init; }
}
