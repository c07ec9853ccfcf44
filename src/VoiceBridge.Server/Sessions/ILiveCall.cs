namespace VoiceBridge.Server.Sessions;

/// <summary>
/// What the registry, the control API and the shutdown drain need from a live call, whatever its caller leg
/// (Twilio or browser/SDK).
/// </summary>
internal interface ILiveCall
{
    /// <summary>The call's id: the CallSid for phone calls (null until <c>start</c> is accepted), the session id for browser calls.</summary>
    string? CallId { get; }

    /// <summary>"twilio" or "browser".</summary>
    string Transport { get; }

    /// <summary>Who called, when known (phone number from the call token); null for browser calls.</summary>
    string? Caller { get; }

    /// <summary>What the call is doing, for <c>GET /calls</c>: <c>starting</c>, <c>live</c>, <c>ending</c>, <c>transferring</c>, <c>transferred</c>.</summary>
    string State { get; }

    /// <summary>Live control of the call (tools, instructions, say, transfer); null until the upstream is connected.</summary>
    Calls.CallController? Control { get; }

    /// <summary>Audits an operator's action on this call (a no-op when the call has no audit trail).</summary>
    void RecordControl(string action, string adminKeyId, string? detail);

    /// <summary>Ends the call from outside (operator hang-up, shutdown); the first reason given wins.</summary>
    void Stop(CallEndReason reason, string detail);
}
