namespace VoiceBridge.Server.Audit;

/// <summary>The process's audit trail: one <see cref="CallAudit"/> per call, written by one background writer.</summary>
internal interface IAuditTrail
{
    /// <summary>
    /// False while the writer is behind (a call's records are held outside the full queue) or the sink is failing:
    /// call endpoints refuse new calls; live calls go on.
    /// </summary>
    bool IsAcceptingCalls { get; }

    /// <summary>Starts a call's trail (its header is queued at once). <paramref name="transport"/>: <c>twilio</c> or <c>browser</c>.</summary>
    CallAudit Open(string callId, string transport);
}
