namespace VoiceBridge.Realtime.Audit;

/// <summary>Which leg an audited event travelled on, seen from the bridge.</summary>
public enum AuditDirection
{
    /// <summary>From the caller (Twilio or browser) into the bridge.</summary>
    CallerIn,

    /// <summary>From the bridge to the caller.</summary>
    CallerOut,

    /// <summary>From the upstream model into the bridge.</summary>
    UpstreamIn,

    /// <summary>From the bridge to the upstream model.</summary>
    UpstreamOut,

    /// <summary>The bridge's own decisions (policy applied, barge-in, errors, drops, end reason).</summary>
    Bridge,
}
