namespace VoiceBridge.Realtime.Audit;

/// <summary>Outcome of verifying one call's audit trail.</summary>
public enum AuditFileStatus
{
    /// <summary>The chain verifies and ends with the close record.</summary>
    Complete,

    /// <summary>
    /// The chain verifies but has no close record: the process stopped mid-call. A torn last line (no LF) is
    /// ignored, not counted, unless it is a whole record with its line terminator changed.
    /// </summary>
    Incomplete,

    /// <summary>A line fails its hash, its sequence number or its chain link; see <see cref="AuditVerification.Break"/>.</summary>
    Broken,
}
